/**
 * Waits driven by store events (no polling) with a deadline on the virtual clock, the way a
 * real client's watch is.
 */
import { DroverError } from '../../../../core/errors.js';
import type { WaitOptions } from '../../../../ports/kubernetes.js';
import type { StoreEvent } from '../../kube/store.js';
import type { World } from '../../world/world.js';

/** Resolves once `check` yields, re-checking on every matching store event; deadline on the clock. */
export function waitFor<T>(
  world: World,
  what: string,
  relevant: (e: StoreEvent | undefined) => boolean,
  check: () => { value: T } | undefined,
  options: WaitOptions,
): Promise<T> {
  const first = check();
  if (first) return Promise.resolve(first.value);
  if (options.signal?.aborted) return Promise.reject(options.signal.reason);
  return new Promise<T>((resolve, reject) => {
    const timer = new AbortController();
    const finish = (fn: () => void) => {
      unsubscribe();
      timer.abort();
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const unsubscribe = world.store.subscribe((event) => {
      if (!relevant(event)) return;
      const hit = check();
      if (hit) finish(() => resolve(hit.value));
    });
    const onAbort = () => finish(() => reject(options.signal?.reason));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    world.clock.sleep(options.timeoutMs, timer.signal).then(
      () => {
        const hit = check();
        finish(() => (hit ? resolve(hit.value) : reject(waitTimeout(what, options.timeoutMs))));
      },
      () => undefined,
    );
  });
}

function waitTimeout(what: string, ms: number): DroverError {
  return new DroverError(
    'failed',
    'WAIT_TIMEOUT',
    `timed out after ${Math.round(ms / 1000)}s waiting for ${what}`,
    {
      details: { timeoutMs: ms },
    },
  );
}
