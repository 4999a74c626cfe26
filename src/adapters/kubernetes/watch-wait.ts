/**
 * Waits on a watch, not a poll: list once, then watch from the list's resourceVersion and
 * re-check after every event. A watch the server closes is re-established from the last seen
 * resourceVersion; a 410 (HTTP or ERROR event) re-lists; a transient failure (also an ERROR event
 * such as 504 "Too large resource version") backs off on the clock and re-lists. Every watch asks
 * for `timeoutSeconds`, and one silent past it (half-open: no event, no close) is abandoned and
 * the wait lists and watches again. The deadline runs on the injected clock: WAIT_TIMEOUT past it.
 */
import { Watch } from '@kubernetes/client-node';
import { DroverError, isRetryable } from '../../core/errors.js';
import type { KubeClient } from './client.js';
import { apiStatus, isTransient, toDroverError } from './api-errors.js';

export interface WatchedObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface WatchWait<R> {
  client: KubeClient;
  /** Collection path, e.g. /api/v1/nodes or /api/v1/namespaces/x/pods. */
  path: string;
  query: Record<string, string>;
  list: () => Promise<{ items: WatchedObject[]; resourceVersion: string }>;
  /** Evaluated on the current objects after the list and after every event. */
  check: (objects: Map<string, WatchedObject>) => R | undefined;
  timeoutMs: number;
  signal?: AbortSignal;
  what: string;
}

type Outcome = 'closed' | 'expired' | 'idle' | { error: unknown };

/**
 * Asked of the server on every watch: it closes the stream then, and Drover re-watches from the
 * last resourceVersion (client-node 1.4 has no client-side timeout of its own).
 */
export const WATCH_TIMEOUT_SECONDS = 240;
/** No event and no close this long after the last sign of life: the connection is half-open. */
export const WATCH_IDLE_MS = (WATCH_TIMEOUT_SECONDS + 30) * 1000;

export function waitWithWatch<R>(w: WatchWait<R>): Promise<R> {
  const { client } = w;
  const stop = new AbortController();
  const objects = new Map<string, WatchedObject>();
  const key = (o: WatchedObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      w.signal?.removeEventListener('abort', onAbort);
      stop.abort();
      fn();
    };
    const onAbort = () => finish(() => reject(w.signal?.reason ?? new Error('aborted')));
    if (w.signal?.aborted) return onAbort();
    w.signal?.addEventListener('abort', onAbort, { once: true });
    client.clock.sleep(w.timeoutMs, stop.signal).then(
      () =>
        finish(() =>
          reject(
            new DroverError(
              'failed',
              'WAIT_TIMEOUT',
              `Timed out after ${w.timeoutMs} ms waiting for ${w.what}`,
              {
                hint: 'The cluster did not reach the expected state in time; see the node and pod status.',
                details: { timeoutMs: w.timeoutMs, what: w.what },
              },
            ),
          ),
        ),
      () => undefined,
    );
    const evaluate = () => {
      const result = w.check(objects);
      if (result !== undefined) finish(() => resolve(result));
    };

    const watchOnce = (resourceVersion: string, onVersion: (rv: string) => void) =>
      new Promise<Outcome>((resolveOnce) => {
        let expired = false;
        let failure: unknown;
        let ended = false;
        let controller = new AbortController();
        const watchdog = new AbortController();
        const done = (outcome: Outcome) => {
          if (ended) return;
          ended = true;
          watchdog.abort();
          stop.signal.removeEventListener('abort', abortWatch);
          client.watches.delete(controller);
          controller.abort();
          resolveOnce(outcome);
        };
        const abortWatch = () => controller.abort();
        stop.signal.addEventListener('abort', abortWatch, { once: true });
        // A half-open connection (the VIP moved with a replaced control plane node) neither
        // delivers nor closes: past the server's own timeoutSeconds, silence means it is dead.
        let lastEventAt = client.clock.now();
        const guard = async () => {
          for (;;) {
            const due = lastEventAt + WATCH_IDLE_MS - client.clock.now();
            if (due > 0) await client.clock.sleep(due, watchdog.signal);
            else return done('idle');
          }
        };
        guard().catch(() => undefined);
        client.counted();
        const watch = new Watch(client.kc);
        watch
          .watch(
            w.path,
            {
              ...w.query,
              resourceVersion,
              allowWatchBookmarks: true,
              timeoutSeconds: WATCH_TIMEOUT_SECONDS,
            },
            (type: string, object: WatchedObject & { code?: number }) => {
              if (settled || ended) return;
              lastEventAt = client.clock.now();
              try {
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
                if (rv) onVersion(rv);
                if (type === 'BOOKMARK') return;
                if (type === 'DELETED') objects.delete(key(object));
                else objects.set(key(object), object);
                evaluate();
              } catch (error) {
                finish(() => reject(error));
              }
            },
            (error: unknown) => {
              done(
                error
                  ? { error }
                  : failure !== undefined
                    ? { error: failure }
                    : expired
                      ? 'expired'
                      : 'closed',
              );
            },
          )
          .then(
            (c) => {
              controller = c;
              if (settled || ended) c.abort();
              else client.watches.add(c);
            },
            (error: unknown) => done({ error }),
          );
      });

    const run = async () => {
      let relist = true;
      let resourceVersion = '';
      let failures = 0;
      while (!settled) {
        if (relist) {
          let listed: Awaited<ReturnType<typeof w.list>>;
          try {
            listed = await client.read(`LIST ${w.what}`, w.list);
          } catch (error) {
            // An API server blip (its node being replaced) outlasts the read's own retries:
            // keep trying until the wait's deadline, which is what decides.
            if (!isRetryable(error)) throw error;
            failures += 1;
            await client.clock
              .sleep(Math.min(5000, 200 * 2 ** failures), stop.signal)
              .catch(() => undefined);
            continue;
          }
          objects.clear();
          for (const o of listed.items) objects.set(key(o), o);
          resourceVersion = listed.resourceVersion;
          relist = false;
          evaluate();
          if (settled) return;
        }
        const outcome = await watchOnce(resourceVersion, (rv) => (resourceVersion = rv));
        if (settled) return;
        if (outcome === 'closed') {
          failures = 0;
          continue;
        }
        // A dead connection may have missed events: list again on a fresh one.
        if (outcome === 'idle') {
          relist = true;
          continue;
        }
        relist = true;
        if (outcome === 'expired') continue;
        const status = apiStatus(outcome.error);
        if (status.code === 410) continue;
        if (!isTransient(status))
          throw toDroverError(outcome.error, `WATCH ${w.what}`, client.redactor, client.origin);
        failures += 1;
        await client.clock
          .sleep(Math.min(5000, 200 * 2 ** failures), stop.signal)
          .catch(() => undefined);
      }
    };
    run().catch((error: unknown) => finish(() => reject(error)));
  });
}
