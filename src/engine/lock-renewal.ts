/** Renews the cluster lease every third of its TTL while the run lasts; losing it aborts the run. */
import type { RunState } from './context.js';
import { pause } from './retry.js';

export function startLockRenewal(
  run: RunState,
  identity: string,
  ttlSeconds: number,
  onLost: (error: unknown) => void,
): { stop(): Promise<void> } {
  const controller = new AbortController();
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        await pause(run.ports.clock, (ttlSeconds * 1000) / 3, controller.signal);
      } catch {
        return;
      }
      try {
        await run.ports.lock.renew(identity);
      } catch (error) {
        run.log(
          'error',
          `lost the cluster lock: ${error instanceof Error ? error.message : String(error)}`,
        );
        onLost(error);
        return;
      }
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
