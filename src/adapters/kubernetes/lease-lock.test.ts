import { describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import type { LeasePort, LeaseRecord } from '../../ports/kubernetes.js';
import { LeaseLock } from './lease-lock.js';

/** Just the lease part of the Kubernetes API, with optimistic concurrency like the real server. */
function leaseApi() {
  let lease: LeaseRecord | undefined;
  let rv = 1;
  let conflictsToInject = 0;
  const calls = { get: 0, update: 0 };
  const api = {
    calls,
    get lease() {
      return lease;
    },
    injectConflicts(n: number) {
      conflictsToInject = n;
    },
    async getLease() {
      calls.get++;
      return lease ? { ...lease } : undefined;
    },
    async createLease(l: Omit<LeaseRecord, 'resourceVersion'>) {
      if (lease) throw new DroverError('refused', 'LEASE_CONFLICT', 'already exists');
      lease = { ...l, resourceVersion: String(rv++) };
      return { ...lease };
    },
    async updateLease(l: LeaseRecord) {
      calls.update++;
      if (conflictsToInject > 0) {
        conflictsToInject--;
        lease = lease ? { ...lease, resourceVersion: String(rv++) } : lease;
        throw new DroverError('refused', 'LEASE_CONFLICT', 'conflict');
      }
      if (!lease || lease.resourceVersion !== l.resourceVersion)
        throw new DroverError('refused', 'LEASE_CONFLICT', 'stale');
      lease = { ...l, resourceVersion: String(rv++) };
      return { ...lease };
    },
  };
  return api;
}

/**
 * One runner's clock over shared virtual time: `skewMs` apart from the others; sleeping moves
 * the shared time on and lets the other runners act (`whileAsleep`).
 */
function runners() {
  const api = leaseApi();
  let now = 1_000_000;
  let whileAsleep: () => Promise<void> = async () => undefined;
  const lockOn = (skewMs: number) => {
    let slept = 0;
    const clock = {
      now: () => now + skewMs,
      sleep: async (ms: number) => {
        slept += ms;
        now += ms;
        await whileAsleep();
      },
    };
    const lock = new LeaseLock({ kubernetes: api as LeasePort, clock });
    return { lock, slept: () => slept };
  };
  return {
    api,
    lockOn,
    advance: (ms: number) => (now += ms),
    onSleep: (f: () => Promise<void>) => (whileAsleep = f),
  };
}

function setup() {
  const r = runners();
  return { api: r.api, lock: r.lockOn(0).lock, advance: r.advance, onSleep: r.onSleep };
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

  it('refuses a holder seen renewing while it watched, naming it', async () => {
    const { lock, advance, onSleep } = setup();
    await lock.acquire('run-a', 60);
    onSleep(() => lock.renew('run-a'));
    advance(59_000);
    expect(await lock.acquire('run-b', 60)).toMatchObject({
      acquired: false,
      holder: { identity: 'run-a', ttlSeconds: 60 },
    });
  });

  it('takes over a lease only after watching it unchanged for its whole duration, with leaseTransitions + 1', async () => {
    const r = runners();
    const a = r.lockOn(0);
    const b = r.lockOn(0);
    await a.lock.acquire('run-a', 60);
    // Its renewTime is far in the past already: that proves nothing to a runner that just looked.
    r.advance(3_600_000);
    const result = await b.lock.acquire('run-b', 60);
    expect(result).toMatchObject({ acquired: true, tookOverFrom: { identity: 'run-a' } });
    expect(b.slept()).toBeGreaterThanOrEqual(60_000);
    expect(r.api.lease).toMatchObject({ holderIdentity: 'run-b', leaseTransitions: 1 });
  });

  it('a runner whose clock is an hour ahead never takes a live lease (renewTime is not compared)', async () => {
    const r = runners();
    const a = r.lockOn(0);
    const skewed = r.lockOn(3_600_000);
    await a.lock.acquire('run-a', 60);
    r.onSleep(() => a.lock.renew('run-a'));
    expect(await skewed.lock.acquire('run-b', 60)).toMatchObject({ acquired: false });
    expect(r.api.lease?.holderIdentity).toBe('run-a');
  });

  it('a runner whose clock is an hour behind takes over a dead holder after one duration of its own time', async () => {
    const r = runners();
    const dead = r.lockOn(0);
    const behind = r.lockOn(-3_600_000);
    await dead.lock.acquire('run-dead', 60);
    const result = await behind.lock.acquire('run-b', 60);
    expect(result).toMatchObject({ acquired: true, tookOverFrom: { identity: 'run-dead' } });
    expect(behind.slept()).toBeGreaterThanOrEqual(60_000);
    expect(behind.slept()).toBeLessThan(70_000);
  });

  it('renewal keeps it; a released lease is free at once, without a takeover', async () => {
    const { api, lock, onSleep } = setup();
    await lock.acquire('run-a', 60);
    await lock.renew('run-a');
    onSleep(() => lock.renew('run-a'));
    expect((await lock.acquire('run-b', 60)).acquired).toBe(false);
    onSleep(async () => undefined);
    await lock.release('run-a');
    expect(api.lease?.holderIdentity).toBeUndefined();
    expect(await lock.acquire('run-b', 60)).toEqual({ acquired: true });
    expect(api.lease?.leaseTransitions).toBe(1);
  });

  it('the same identity (this process again) gets it back without a transition', async () => {
    const { api, lock, advance } = setup();
    await lock.acquire('run-a', 60);
    advance(10_000);
    expect(await lock.acquire('run-a', 60)).toEqual({ acquired: true });
    expect(api.lease).toMatchObject({ leaseTransitions: 0, renewTime: 1_010_000 });
  });

  it('renewing a lease someone else took over fails with LOCK_LOST', async () => {
    const { lock } = setup();
    await lock.acquire('run-a', 60);
    await lock.acquire('run-b', 60);
    await expect(lock.renew('run-a')).rejects.toMatchObject({ code: 'LOCK_LOST' });
  });

  it('retries on a resourceVersion conflict and decides again', async () => {
    const { api, lock } = setup();
    await lock.acquire('run-a', 60);
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

  it('renews its own lease with one conditional update, as client-go does (no read first)', async () => {
    const { api, lock, advance } = setup();
    await lock.acquire('run-a', 60);
    const before = { ...api.calls };
    for (let i = 0; i < 5; i++) {
      advance(20_000);
      await lock.renew('run-a');
    }
    expect(api.calls.get - before.get).toBe(0);
    expect(api.calls.update - before.update).toBe(5);
    expect(api.lease).toMatchObject({ holderIdentity: 'run-a', renewTime: 1_100_000 });
  });

  it('a lease written by someone else since: the conditional renewal is refused, read, and lost', async () => {
    const r = runners();
    const a = r.lockOn(0);
    const b = r.lockOn(0);
    await a.lock.acquire('run-a', 60);
    // run-a stops renewing; run-b watches the record unchanged for a whole duration and takes it.
    r.advance(3_600_000);
    expect(await b.lock.acquire('run-b', 60)).toMatchObject({ acquired: true });
    // run-a's own copy is stale: its update must not overwrite run-b's record.
    await expect(a.lock.renew('run-a')).rejects.toMatchObject({ code: 'LOCK_LOST' });
    expect(r.api.lease).toMatchObject({ holderIdentity: 'run-b', leaseTransitions: 1 });
  });
});
