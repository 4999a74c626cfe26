/**
 * The cluster lock as a coordination.k8s.io Lease, following client-go's leader election:
 * create it; if another holder's lease is still within its duration, refuse; if it expired
 * (holder crashed), take it over with leaseTransitions + 1; renew while running; release by
 * clearing the holder. Optimistic concurrency (resourceVersion) settles races: a conflict
 * re-reads and decides again.
 */
import { DroverError, isDroverError } from '../core/errors.js';
import type { Clock } from '../ports/clock.js';
import type { KubernetesPort, LeaseRecord } from '../ports/kubernetes.js';
import type { LockAcquireResult, LockHolder, LockPort } from '../ports/lock.js';

export const DEFAULT_LEASE_NAMESPACE = 'kube-system';
export const DEFAULT_LEASE_NAME = 'drover-upgrade';

export interface LeaseLockOptions {
  kubernetes: KubernetesPort;
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

export function isExpired(lease: LeaseRecord, now: number): boolean {
  const renewed = lease.renewTime ?? lease.acquireTime;
  if (renewed === undefined) return true;
  return now > renewed + lease.leaseDurationSeconds * 1000;
}

export class LeaseLock implements LockPort {
  private readonly namespace: string;
  private readonly name: string;

  constructor(private readonly options: LeaseLockOptions) {
    this.namespace = options.namespace ?? DEFAULT_LEASE_NAMESPACE;
    this.name = options.name ?? DEFAULT_LEASE_NAME;
  }

  async acquire(identity: string, ttlSeconds: number): Promise<LockAcquireResult> {
    const { kubernetes, clock } = this.options;
    for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
      const now = clock.now();
      try {
        const lease = await kubernetes.getLease(this.namespace, this.name);
        if (lease === undefined) {
          await kubernetes.createLease({
            namespace: this.namespace,
            name: this.name,
            holderIdentity: identity,
            leaseDurationSeconds: ttlSeconds,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          });
          return { acquired: true };
        }
        const held = lease.holderIdentity !== undefined && lease.holderIdentity !== '';
        if (held && lease.holderIdentity === identity) {
          // The same run coming back (resume after a crash): renew, no transition.
          await kubernetes.updateLease({
            ...lease,
            leaseDurationSeconds: ttlSeconds,
            renewTime: now,
          });
          return { acquired: true };
        }
        if (held && !isExpired(lease, now)) return { acquired: false, holder: holderOf(lease) };
        await kubernetes.updateLease({
          ...lease,
          holderIdentity: identity,
          leaseDurationSeconds: ttlSeconds,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: lease.leaseTransitions + 1,
        });
        return held ? { acquired: true, tookOverFrom: holderOf(lease) } : { acquired: true };
      } catch (error) {
        if (isConflict(error)) continue;
        throw error;
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
        await kubernetes.updateLease({ ...lease, renewTime: clock.now() });
        return;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }
  }

  async release(identity: string): Promise<void> {
    const { kubernetes, clock } = this.options;
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
