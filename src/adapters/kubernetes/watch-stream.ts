/**
 * One watch connection: `GET <path>?watch=true` from a resourceVersion with bookmarks and the
 * server-side `timeoutSeconds`, until the server closes it, it fails, or it goes silent past
 * WATCH_IDLE_MS (half-open: no event, no close). Says how it ended; re-listing and re-watching
 * are the caller's (list-watch.ts).
 */
import { Watch } from '@kubernetes/client-node';
import type { Clock } from '../../ports/clock.js';
import type { KubeClient } from './client.js';

export interface WatchedObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** `closed`: clean end, resume from the last version; the others may have missed events. */
export type StreamOutcome = 'closed' | 'expired' | 'idle' | { error: unknown };

/**
 * Asked of the server on every watch: it closes the stream then, and Drover re-watches from the
 * last resourceVersion (client-node 1.4 has no client-side timeout of its own).
 */
export const WATCH_TIMEOUT_SECONDS = 240;
/** No event and no close this long after the last sign of life: the connection is half-open. */
export const WATCH_IDLE_MS = (WATCH_TIMEOUT_SECONDS + 30) * 1000;

export interface WatchStreamOptions {
  client: KubeClient;
  /** Collection path, e.g. /api/v1/nodes or /api/v1/namespaces/x/pods. */
  path: string;
  query: Record<string, string>;
  resourceVersion: string;
  /** Aborting it ends the connection (the outcome is then `closed`). */
  stop: AbortSignal;
  /** Every event's resourceVersion, BOOKMARK included. */
  onVersion: (resourceVersion: string) => void;
  onEvent: (type: WatchEventType, object: WatchedObject) => void;
}

export function watchOnce(o: WatchStreamOptions): Promise<StreamOutcome> {
  const { client } = o;
  if (o.stop.aborted) return Promise.resolve('closed');
  return new Promise<StreamOutcome>((resolveOnce) => {
    let ended = false;
    let controller = new AbortController();
    const done = (outcome: StreamOutcome) => {
      if (ended) return;
      ended = true;
      watchdog.stop();
      o.stop.removeEventListener('abort', abortWatch);
      client.watches.delete(controller);
      controller.abort();
      resolveOnce(outcome);
    };
    const abortWatch = () => done('closed');
    o.stop.addEventListener('abort', abortWatch, { once: true });
    const watchdog = idleWatchdog(client.clock, () => done('idle'));
    const events = eventReader(o);
    client.counted();
    new Watch(client.kc)
      .watch(
        o.path,
        {
          ...o.query,
          resourceVersion: o.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: WATCH_TIMEOUT_SECONDS,
        },
        (type: string, object: WatchedObject & { code?: number }) => {
          if (ended) return;
          watchdog.alive();
          events.read(type, object);
        },
        (error: unknown) => done(events.outcome(error)),
      )
      .then(
        (c) => {
          controller = c;
          if (ended) c.abort();
          else client.watches.add(c);
        },
        (error: unknown) => done({ error }),
      );
  });
}

interface IdleWatchdog {
  /** A sign of life: an event arrived. */
  alive(): void;
  stop(): void;
}

/**
 * A half-open connection (the VIP moved with a replaced control plane node) neither delivers
 * nor closes: past the server's own timeoutSeconds, silence means it is dead, and `onIdle` ends it.
 */
function idleWatchdog(clock: Clock, onIdle: () => void): IdleWatchdog {
  const watchdog = new AbortController();
  let lastEventAt = clock.now();
  const guard = async () => {
    for (;;) {
      const due = lastEventAt + WATCH_IDLE_MS - clock.now();
      if (due > 0) await clock.sleep(due, watchdog.signal);
      else return onIdle();
    }
  };
  guard().catch(() => undefined);
  return {
    alive: () => {
      lastEventAt = clock.now();
    },
    stop: () => watchdog.abort(),
  };
}

/**
 * The events of one stream: objects go to the caller with their resourceVersion (BOOKMARK
 * included); an ERROR Status is kept for the outcome (410: expired, any other: a failure).
 */
function eventReader(o: WatchStreamOptions): {
  read: (type: string, object: WatchedObject & { code?: number }) => void;
  outcome: (error: unknown) => StreamOutcome;
} {
  let expired = false;
  let failure: unknown;
  return {
    read(type, object) {
      if (type === 'ERROR') {
        if (object.code === 410) expired = true;
        // Any other Status (504 "Too large resource version", 500) fails this watch.
        else
          failure = Object.assign(new Error(JSON.stringify(object)), {
            code: object.code,
            body: JSON.stringify(object),
          });
        return;
      }
      const rv = object.metadata?.resourceVersion;
      if (rv) o.onVersion(rv);
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') o.onEvent(type, object);
    },
    outcome: (error) =>
      error
        ? { error }
        : failure !== undefined
          ? { error: failure }
          : expired
            ? 'expired'
            : 'closed',
  };
}
