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

/** What the renewal loop and confirm() share: when the lease was last confirmed, and its loss. */
class HeldLease {
  lastConfirmed: number;
  lost: unknown;

  constructor(
    private readonly run: RunState,
    private readonly identity: string,
    readonly ttlMs: number,
    private readonly onLost: (error: unknown) => void,
  ) {
    this.lastConfirmed = run.ports.clock.now();
  }

  async renewOnce(): Promise<void> {
    // A renewal that hangs is cut off by the adapter (real time; see adapters/kubernetes/leases).
    await this.run.ports.lock.renew(this.identity);
    this.lastConfirmed = this.run.ports.clock.now();
  }

  /** A whole TTL without a confirmed renewal: another runner may take the lease over now. */
  expired(): boolean {
    return this.run.ports.clock.now() - this.lastConfirmed >= this.ttlMs;
  }

  /** Once: logs it and tells the run (which aborts). */
  lose(error: unknown): void {
    if (this.lost !== undefined) return;
    this.lost = error;
    this.run.log('error', `lost the cluster lock: ${messageOf(error)}`);
    this.onLost(error);
  }
}

/**
 * Renews every third of the TTL until `signal` aborts or the lease is lost; a failed renewal is
 * retried with backoff, within what is left of the TTL.
 */
async function renewUntilStopped(
  run: RunState,
  lease: HeldLease,
  ttlSeconds: number,
  signal: AbortSignal,
): Promise<void> {
  const { clock } = run.ports;
  const { ttlMs } = lease;
  let delay = ttlMs / 3;
  while (!signal.aborted && lease.lost === undefined) {
    try {
      await pause(clock, delay, signal);
    } catch {
      return;
    }
    try {
      await lease.renewOnce();
      delay = ttlMs / 3;
    } catch (error) {
      if (signal.aborted) return;
      if (isDroverError(error) && error.code === 'LOCK_LOST') return lease.lose(error);
      if (lease.expired())
        return lease.lose(
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
      const left = lease.lastConfirmed + ttlMs - clock.now();
      delay = Math.max(1, Math.min(delay === ttlMs / 3 ? backoff : delay * 2, left / 2));
      run.log('warn', `lease renewal failed, retrying in ${delay / 1000}s: ${messageOf(error)}`);
    }
  }
}

export function startLockRenewal(
  run: RunState,
  identity: string,
  ttlSeconds: number,
  onLost: (error: unknown) => void,
): LeaseKeeper {
  const lease = new HeldLease(run, identity, ttlSeconds * 1000, onLost);
  const controller = new AbortController();
  const loop = renewUntilStopped(run, lease, ttlSeconds, controller.signal);
  return {
    async confirm() {
      if (lease.lost !== undefined)
        return block('LOCK_LOST', `the cluster lock is lost: ${messageOf(lease.lost)}`);
      try {
        await lease.renewOnce();
        return PASS;
      } catch (error) {
        if (isDroverError(error) && error.code === 'LOCK_LOST') {
          lease.lose(error);
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
