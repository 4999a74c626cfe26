/**
 * Keeps the cluster lease while the run lasts (invariant single-lease-holder). Renews every third of the TTL. One
 * failed renewal is not a lost lease: nobody may take the lease over before it has gone a whole
 * TTL without changing (client-go judges expiry from when it last saw the record change), so
 * this runner keeps retrying with backoff until a TTL has passed on its own clock since its last
 * confirmed renewal; only then, or when the lease names another holder, is the lease lost. A
 * renewal that hangs is cut off by the Kubernetes adapter's request timeout, so a half-open
 * connection cannot hold the loop past expiry. `confirm()` renews on demand: the pre-act check runs it right before
 * every destructive step.
 */
import { DroverError, isDroverError } from '../core/errors.js';
import { block, PASS, wait } from '../core/gates.js';
import type { GateDecision } from '../core/gates.js';
import type { RunState } from './context.js';
import { pause } from './retry.js';

export interface LeaseKeeper {
  /** Renews now; pass when this runner holds the lease, block when another does, wait when unknown. */
  confirm(): Promise<GateDecision>;
  stop(): Promise<void>;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export function startLockRenewal(
  run: RunState,
  identity: string,
  ttlSeconds: number,
  onLost: (error: unknown) => void,
): LeaseKeeper {
  const { clock } = run.ports;
  const ttlMs = ttlSeconds * 1000;
  const controller = new AbortController();
  let lastConfirmed = clock.now();
  let lost: unknown;

  const renewOnce = async (): Promise<void> => {
    // A renewal that hangs is cut off by the adapter (real time; see adapters/kubernetes/leases).
    await run.ports.lock.renew(identity);
    lastConfirmed = clock.now();
  };
  const expired = () => clock.now() - lastConfirmed >= ttlMs;
  const loseIt = (error: unknown) => {
    if (lost !== undefined) return;
    lost = error;
    run.log('error', `lost the cluster lock: ${messageOf(error)}`);
    onLost(error);
  };

  const loop = (async () => {
    let delay = ttlMs / 3;
    while (!controller.signal.aborted && lost === undefined) {
      try {
        await pause(clock, delay, controller.signal);
      } catch {
        return;
      }
      try {
        await renewOnce();
        delay = ttlMs / 3;
      } catch (error) {
        if (controller.signal.aborted) return;
        if (isDroverError(error) && error.code === 'LOCK_LOST') return loseIt(error);
        if (expired())
          return loseIt(
            new DroverError(
              'failed',
              'LOCK_LOST',
              `the lease could not be renewed for its whole TTL of ${ttlSeconds}s: ${messageOf(error)}`,
              {
                hint: 'The Kubernetes API was unreachable from the runner; check it, then --resume.',
              },
            ),
          );
        const backoff = run.policy.retry.initialBackoffSeconds * 1000;
        const left = lastConfirmed + ttlMs - clock.now();
        delay = Math.max(1, Math.min(delay === ttlMs / 3 ? backoff : delay * 2, left / 2));
        run.log('warn', `lease renewal failed, retrying in ${delay / 1000}s: ${messageOf(error)}`);
      }
    }
  })();

  return {
    async confirm() {
      if (lost !== undefined)
        return block('LOCK_LOST', `the cluster lock is lost: ${messageOf(lost)}`);
      try {
        await renewOnce();
        return PASS;
      } catch (error) {
        if (isDroverError(error) && error.code === 'LOCK_LOST') {
          loseIt(error);
          return block('LOCK_LOST', error.message);
        }
        return wait(`the cluster lease could not be confirmed (unknown): ${messageOf(error)}`);
      }
    },
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
