/**
 * List, then watch from the list's resourceVersion, as client-go's Reflector does: a watch the
 * server closes is re-established from the last seen resourceVersion (nothing missed); a 410
 * (HTTP or ERROR event), a half-open watch or a transient failure (also an ERROR event such as
 * 504 "Too large resource version") may have missed events, so the objects are listed again,
 * after a backoff on the clock for a failure. A list failing for longer than the read's own
 * retries (the API server's node being replaced) is retried until `stop`; a non-transient
 * failure (403, 400) ends the loop with a DroverError.
 */
import { isRetryable } from '../../core/errors.js';
import type { KubeClient } from './client.js';
import { apiStatus, isTransient, toDroverError } from './api-errors.js';
import { watchOnce, type WatchEventType, type WatchedObject } from './watch-stream.js';

export interface ListWatchOptions {
  client: KubeClient;
  /** Collection path, e.g. /api/v1/nodes or /api/v1/namespaces/x/pods. */
  path: string;
  query: Record<string, string>;
  list: () => Promise<{ items: WatchedObject[]; resourceVersion: string }>;
  what: string;
  stop: AbortSignal;
  /** A list answered: these are all the objects now. */
  onList: (items: WatchedObject[]) => void;
  onEvent: (type: WatchEventType, object: WatchedObject) => void;
  /** The watch broke (events may be missed) or a list failed: not in sync until the next onList. */
  onOutOfSync?: (error?: unknown) => void;
}

const backoffMs = (failures: number) => Math.min(5000, 200 * 2 ** failures);

export async function runListWatch(o: ListWatchOptions): Promise<void> {
  const { client, stop } = o;
  const pause = (ms: number) => client.clock.sleep(ms, stop).catch(() => undefined);
  let relist = true;
  let resourceVersion = '';
  let failures = 0;
  while (!stop.aborted) {
    if (relist) {
      let listed: Awaited<ReturnType<typeof o.list>>;
      try {
        listed = await client.read(`LIST ${o.what}`, o.list);
      } catch (error) {
        // An API server blip (its node being replaced) outlasts the read's own retries:
        // keep trying; the caller's deadline (or stop) decides.
        if (!isRetryable(error)) throw error;
        o.onOutOfSync?.(error);
        failures += 1;
        await pause(backoffMs(failures));
        continue;
      }
      if (stop.aborted) return;
      resourceVersion = listed.resourceVersion;
      relist = false;
      o.onList(listed.items);
      if (stop.aborted) return;
    }
    const outcome = await watchOnce({
      client,
      path: o.path,
      query: o.query,
      resourceVersion,
      stop,
      onVersion: (rv) => (resourceVersion = rv),
      onEvent: o.onEvent,
    });
    if (stop.aborted) return;
    if (outcome === 'closed') {
      failures = 0;
      continue;
    }
    // A dead connection, an expired version or a failure may have missed events: list again.
    relist = true;
    o.onOutOfSync?.();
    if (outcome === 'idle' || outcome === 'expired') continue;
    const status = apiStatus(outcome.error);
    if (status.code === 410) continue;
    if (!isTransient(status))
      throw toDroverError(outcome.error, `WATCH ${o.what}`, client.redactor, client.origin);
    failures += 1;
    await pause(backoffMs(failures));
  }
}
