import { describe, expect, it } from 'vitest';
import { DroverError } from '../core/errors.js';
import type { KubernetesPort, LeaseRecord } from '../ports/kubernetes.js';
import { LeaseLock } from './lease-lock.js';

/** Just the lease part of the Kubernetes API, with optimistic concurrency like the real server. */
function leaseApi() {
  let lease: LeaseRecord | undefined;
  let rv = 1;
  let conflictsToInject = 0;
  const api = {
    get lease() {
      return lease;
    },
    injectConflicts(n: number) {
      conflictsToInject = n;
    },
    async getLease() {
      return lease ? { ...lease } : undefined;
    },
    async createLease(l: Omit<LeaseRecord, 'resourceVersion'>) {
      if (lease) throw new DroverError('failed', 'LEASE_CONFLICT', 'already exists');
      lease = { ...l, resourceVersion: String(rv++) };
      return { ...lease };
    },
    async updateLease(l: LeaseRecord) {
      if (conflictsToInject > 0) {
        conflictsToInject--;
        lease = lease ? { ...lease, resourceVersion: String(rv++) } : lease;
        throw new DroverError('failed', 'LEASE_CONFLICT', 'conflict');
      }
      if (!lease || lease.resourceVersion !== l.resourceVersion)
        throw new DroverError('failed', 'LEASE_CONFLICT', 'stale');
      lease = { ...l, resourceVersion: String(rv++) };
      return { ...lease };
    },
  };
  return api;
}

function setup() {
  const api = leaseApi();
  let now = 1_000_000;
  const clock = { now: () => now, sleep: async () => undefined };
  const lock = new LeaseLock({ kubernetes: api as unknown as KubernetesPort, clock });
  return { api, lock, advance: (ms: number) => (now += ms) };
}

describe('LeaseLock', () => {
  it('creates the lease when there is none', async () => {
    const { api, lock } = setup();
    expect(await lock.acquire('run-a', 60)).toEqual({ acquired: true });
    expect(api.lease).toMatchObject({
      holderIdentity: 'run-a',
      leaseDurationSeconds: 60,
      leaseTransitions: 0,
    });
  });

  it('refuses while another holder is within its TTL, naming it', async () => {
    const { lock, advance } = setup();
    await lock.acquire('run-a', 60);
    advance(59_000);
    expect(await lock.acquire('run-b', 60)).toEqual({
      acquired: false,
      holder: { identity: 'run-a', renewedAt: 1_000_000, ttlSeconds: 60 },
    });
  });

  it('takes over a stale lease with leaseTransitions + 1 and says from whom', async () => {
    const { api, lock, advance } = setup();
    await lock.acquire('run-a', 60);
    advance(61_000);
    const result = await lock.acquire('run-b', 60);
    expect(result).toMatchObject({ acquired: true, tookOverFrom: { identity: 'run-a' } });
    expect(api.lease).toMatchObject({ holderIdentity: 'run-b', leaseTransitions: 1 });
  });

  it('renewal keeps it fresh; a released lease is free without a takeover', async () => {
    const { api, lock, advance } = setup();
    await lock.acquire('run-a', 60);
    advance(50_000);
    await lock.renew('run-a');
    advance(50_000);
    expect((await lock.acquire('run-b', 60)).acquired).toBe(false);
    await lock.release('run-a');
    expect(api.lease?.holderIdentity).toBeUndefined();
    expect(await lock.acquire('run-b', 60)).toEqual({ acquired: true });
    expect(api.lease?.leaseTransitions).toBe(1);
  });

  it('the same identity (a resumed run) gets it back without a transition', async () => {
    const { api, lock, advance } = setup();
    await lock.acquire('run-a', 60);
    advance(10_000);
    expect(await lock.acquire('run-a', 60)).toEqual({ acquired: true });
    expect(api.lease).toMatchObject({ leaseTransitions: 0, renewTime: 1_010_000 });
  });

  it('renewing a lease someone else took over fails with LOCK_LOST', async () => {
    const { lock, advance } = setup();
    await lock.acquire('run-a', 60);
    advance(61_000);
    await lock.acquire('run-b', 60);
    await expect(lock.renew('run-a')).rejects.toMatchObject({ code: 'LOCK_LOST' });
  });

  it('retries on a resourceVersion conflict and decides again', async () => {
    const { api, lock, advance } = setup();
    await lock.acquire('run-a', 60);
    advance(61_000);
    api.injectConflicts(1);
    expect(await lock.acquire('run-b', 60)).toMatchObject({ acquired: true });
    expect(api.lease?.holderIdentity).toBe('run-b');
  });

  it('release by a non-holder leaves the lease alone', async () => {
    const { api, lock } = setup();
    await lock.acquire('run-a', 60);
    await lock.release('run-b');
    expect(api.lease?.holderIdentity).toBe('run-a');
  });
});
