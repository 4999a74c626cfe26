/**
 * The cluster lock (LockPort) as a coordination.k8s.io Lease, following client-go's leader
 * election (tools/leaderelection/leaderelection.go, resourcelock/leaselock.go; docs/kubernetes.md,
 * "Lease"): create it; take it over (leaseTransitions + 1) only
 * once the record has gone unchanged for its whole leaseDurationSeconds as measured on THIS
 * runner's clock from when it last saw the record change; never by comparing this clock with
 * the holder's renewTime (the two clocks may disagree by hours). A holder seen renewing is
 * alive: refuse. Renew while running; release by clearing the holder. Optimistic concurrency
 * (resourceVersion) settles races: a conflict re-reads and decides again.
 */
import { DroverError, isDroverError } from '../../core/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { LeasePort, LeaseRecord } from '../../ports/kubernetes.js';
import type { LockAcquireResult, LockHolder, LockPort } from '../../ports/lock.js';

export const DEFAULT_LEASE_NAMESPACE = 'kube-system';
export const DEFAULT_LEASE_NAME = 'drover-upgrade';

export interface LeaseLockOptions {
  /** The Lease role of the Kubernetes API (the client-node adapter, or the twin's). */
  kubernetes: LeasePort;
  clock: Clock;
  namespace?: string;
  name?: string;
}

const CONFLICT_RETRIES = 3;

function isConflict(error: unknown): boolean {
  return isDroverError(error) && error.code === 'LEASE_CONFLICT';
}

export function holderOf(lease: LeaseRecord): LockHolder {
  return {
    identity: lease.holderIdentity ?? '',
    renewedAt: lease.renewTime ?? lease.acquireTime,
    ttlSeconds: lease.leaseDurationSeconds,
  };
}

/** What identifies one version of the record: any change means the holder is alive. */
function versionOf(lease: LeaseRecord): string {
  return JSON.stringify([
    lease.resourceVersion,
    lease.holderIdentity ?? '',
    lease.renewTime ?? null,
    lease.acquireTime ?? null,
    lease.leaseTransitions,
  ]);
}

/** How often a waiting runner re-reads the record (client-go's RetryPeriod is 2s). */
export const LEASE_RETRY_PERIOD_MS = 2_000;

/** When this runner last saw another holder's record change, on its own clock (client-go's observedTime). */
interface Observed {
  version: string;
  at: number;
}

/**
 * Another holder's record: alive once seen to change while we watched; else free to take once
 * it has gone unchanged for its whole leaseDurationSeconds since we first saw it (waitMs 0).
 */
function judgeHolder(
  lease: LeaseRecord,
  observed: Observed | undefined,
  now: number,
): 'alive' | { observed: Observed; waitMs: number } {
  const version = versionOf(lease);
  // Seen to change while we watched: the holder is alive.
  if (observed !== undefined && observed.version !== version) return 'alive';
  const since = observed ?? { version, at: now };
  const expiresAt = since.at + lease.leaseDurationSeconds * 1000;
  return {
    observed: since,
    waitMs: now < expiresAt ? Math.min(LEASE_RETRY_PERIOD_MS, expiresAt - now) : 0,
  };
}

/** The record naming `identity` the new holder: a new Lease, or one taken over (a transition). */
function heldBy<P extends { namespace: string; name: string; leaseTransitions?: number }>(
  previous: P,
  identity: string,
  ttlSeconds: number,
  now: number,
): P & Omit<LeaseRecord, 'resourceVersion'> {
  return {
    ...previous,
    holderIdentity: identity,
    leaseDurationSeconds: ttlSeconds,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: previous.leaseTransitions === undefined ? 0 : previous.leaseTransitions + 1,
  };
}

export class LeaseLock implements LockPort {
  private readonly namespace: string;
  private readonly name: string;
  /**
   * The record as this process last wrote it, per holder identity: client-go's fast path
   * renews with one conditional update of it (tryAcquireOrRenew, "update optimistically
   * assuming that the record observed last time is the current version") instead of a read
   * and an update. Its resourceVersion is the precondition: if anyone wrote the lease since,
   * the update is refused with a conflict and the renewal reads the record and decides again.
   */
  private readonly written = new Map<string, LeaseRecord>();

  constructor(private readonly options: LeaseLockOptions) {
    this.namespace = options.namespace ?? DEFAULT_LEASE_NAMESPACE;
    this.name = options.name ?? DEFAULT_LEASE_NAME;
  }

  async acquire(identity: string, ttlSeconds: number): Promise<LockAcquireResult> {
    const { kubernetes, clock } = this.options;
    let observed: Observed | undefined;
    for (let conflicts = 0; conflicts < CONFLICT_RETRIES;) {
      const now = clock.now();
      try {
        const lease = await kubernetes.getLease(this.namespace, this.name);
        if (lease === undefined) {
          const fresh = { namespace: this.namespace, name: this.name };
          const created = await kubernetes.createLease(heldBy(fresh, identity, ttlSeconds, now));
          this.written.set(identity, created);
          return { acquired: true };
        }
        const held = lease.holderIdentity !== undefined && lease.holderIdentity !== '';
        if (held && lease.holderIdentity === identity) {
          // This very process again: renew, no transition.
          const renewed = await kubernetes.updateLease({
            ...lease,
            leaseDurationSeconds: ttlSeconds,
            renewTime: now,
          });
          this.written.set(identity, renewed);
          return { acquired: true };
        }
        if (held) {
          const judged = judgeHolder(lease, observed, now);
          if (judged === 'alive') return { acquired: false, holder: holderOf(lease) };
          observed = judged.observed;
          if (judged.waitMs > 0) {
            await clock.sleep(judged.waitMs);
            continue;
          }
        }
        this.written.set(
          identity,
          await kubernetes.updateLease(heldBy(lease, identity, ttlSeconds, now)),
        );
        return held ? { acquired: true, tookOverFrom: holderOf(lease) } : { acquired: true };
      } catch (error) {
        if (!isConflict(error)) throw error;
        conflicts++;
        observed = undefined;
      }
    }
    throw new DroverError(
      'failed',
      'LOCK_CONTENDED',
      'the upgrade lease kept changing while acquiring it',
      {
        hint: 'Another process is taking the lock at the same time; try again.',
      },
    );
  }

  async renew(identity: string): Promise<void> {
    const { kubernetes, clock } = this.options;
    const last = this.written.get(identity);
    if (last !== undefined) {
      try {
        this.written.set(
          identity,
          await kubernetes.updateLease({ ...last, renewTime: clock.now() }),
        );
        return;
      } catch (error) {
        // Someone wrote the lease since: read it and decide (the slow path below).
        if (!isConflict(error)) throw error;
        this.written.delete(identity);
      }
    }
    for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
      const lease = await kubernetes.getLease(this.namespace, this.name);
      if (lease === undefined || lease.holderIdentity !== identity) {
        throw new DroverError(
          'failed',
          'LOCK_LOST',
          `the upgrade lease is no longer held by ${identity}`,
          {
            hint: 'Another run took the lock (this run stopped renewing for longer than the TTL); stop and inspect.',
            details: { holder: lease?.holderIdentity ?? null },
          },
        );
      }
      try {
        this.written.set(
          identity,
          await kubernetes.updateLease({ ...lease, renewTime: clock.now() }),
        );
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
  }

  async release(identity: string): Promise<void> {
    const { kubernetes, clock } = this.options;
    this.written.delete(identity);
    for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
      const lease = await kubernetes.getLease(this.namespace, this.name);
      if (lease === undefined || lease.holderIdentity !== identity) return;
      try {
        await kubernetes.updateLease({
          ...lease,
          holderIdentity: undefined,
          leaseDurationSeconds: 1,
          renewTime: clock.now(),
        });
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
  }
}
