import { describe, expect, it } from 'vitest';
import { DroverError } from '../core/errors.js';
import { startLockRenewal } from './lock-renewal.js';
import { twinRun } from './testing/twin-run.js';

const TTL = 60;

/** A renewal loop over a lock whose renew() follows `script` (call number -> throw or not). */
async function setup(script: (call: number) => Error | undefined) {
  const { cluster: c, run } = await twinRun();
  let calls = 0;
  run.ports.lock.renew = async () => {
    const error = script(++calls);
    if (error) throw error;
  };
  const lost: unknown[] = [];
  const keeper = startLockRenewal(run, 'me', TTL, (e) => lost.push(e));
  return { c, keeper, lost, calls: () => calls };
}

const blip = () => new DroverError('failed', 'KUBE_UNAVAILABLE', 'connection refused');

describe('lease renewal (invariant single-lease-holder)', () => {
  it('one failed renewal is not a lost lease: it retries with backoff and keeps it', async () => {
    const { c, keeper, lost, calls } = await setup((n) => (n === 1 ? blip() : undefined));
    await c.clock.sleep(TTL * 3 * 1000);
    expect(lost).toEqual([]);
    expect(calls()).toBeGreaterThan(3);
    expect((await keeper.confirm()).verdict).toBe('pass');
    await keeper.stop();
  });

  it('failing for a whole TTL since the last renewal: lost, and the pre-act check blocks', async () => {
    const { c, keeper, lost } = await setup(() => blip());
    await c.clock.sleep(TTL * 2 * 1000);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ code: 'LOCK_LOST' });
    expect(await keeper.confirm()).toMatchObject({ verdict: 'block', code: 'LOCK_LOST' });
    await keeper.stop();
  });

  it('not lost before the TTL has really passed, however many renewals failed', async () => {
    const { c, keeper, lost, calls } = await setup(() => blip());
    await c.clock.sleep(TTL * 1000 - 1_000);
    expect(calls()).toBeGreaterThan(2);
    expect(lost).toEqual([]);
    // Unknown, not held: a destructive step waits.
    expect((await keeper.confirm()).verdict).toBe('wait');
    await keeper.stop();
  });

  it('another holder named in the lease: lost at once', async () => {
    const { c, keeper, lost } = await setup(
      () => new DroverError('failed', 'LOCK_LOST', 'the upgrade lease is no longer held by me'),
    );
    await c.clock.sleep((TTL / 3) * 1000 + 1);
    expect(lost).toHaveLength(1);
    await keeper.stop();
  });
});
