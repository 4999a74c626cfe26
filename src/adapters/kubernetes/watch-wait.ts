/**
 * Waits on a watch, not a poll: list once, then watch from the list's resourceVersion and
 * re-check after every event (list-watch.ts re-watches, re-lists on 410 or a half-open watch,
 * backs off on failures). The deadline runs on the injected clock: WAIT_TIMEOUT past it.
 */
import { DroverError } from '../../core/errors.js';
import type { KubeClient } from './client.js';
import { runListWatch } from './list-watch.js';
import type { WatchedObject } from './watch-stream.js';

export type { WatchedObject } from './watch-stream.js';
export { WATCH_IDLE_MS, WATCH_TIMEOUT_SECONDS } from './watch-stream.js';

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

export const objectKey = (o: WatchedObject): string =>
  `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

function timeout(w: { timeoutMs: number; what: string }): DroverError {
  return new DroverError(
    'failed',
    'WAIT_TIMEOUT',
    `Timed out after ${w.timeoutMs} ms waiting for ${w.what}`,
    {
      hint: 'The cluster did not reach the expected state in time; see the node and pod status.',
      details: { timeoutMs: w.timeoutMs, what: w.what },
    },
  );
}

export function waitWithWatch<R>(w: WatchWait<R>): Promise<R> {
  const stop = new AbortController();
  const objects = new Map<string, WatchedObject>();
  return new Promise<R>((resolve, reject) => {
    const finish = (fn: () => void) => {
      if (stop.signal.aborted) return;
      w.signal?.removeEventListener('abort', onAbort);
      stop.abort();
      fn();
    };
    const onAbort = () => finish(() => reject(w.signal?.reason ?? new Error('aborted')));
    if (w.signal?.aborted) return onAbort();
    w.signal?.addEventListener('abort', onAbort, { once: true });
    w.client.clock.sleep(w.timeoutMs, stop.signal).then(
      () => finish(() => reject(timeout(w))),
      () => undefined,
    );
    const evaluate = () => {
      if (stop.signal.aborted) return;
      try {
        const result = w.check(objects);
        if (result !== undefined) finish(() => resolve(result));
      } catch (error) {
        finish(() => reject(error));
      }
    };
    runListWatch({
      client: w.client,
      path: w.path,
      query: w.query,
      list: w.list,
      what: w.what,
      stop: stop.signal,
      onList: (items) => {
        objects.clear();
        for (const o of items) objects.set(objectKey(o), o);
        evaluate();
      },
      onEvent: (type, object) => {
        if (type === 'DELETED') objects.delete(objectKey(object));
        else objects.set(objectKey(object), object);
        evaluate();
      },
    }).catch((error: unknown) => finish(() => reject(error)));
  });
}
