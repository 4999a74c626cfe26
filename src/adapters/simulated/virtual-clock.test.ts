import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.js';

describe('VirtualClock', () => {
  it('fires timers in due order, ties in insertion order, and moves now to each', async () => {
    const clock = new VirtualClock({ startMs: 1000 });
    const seen: string[] = [];
    const record = (name: string) => () => seen.push(`${name}@${clock.now()}`);
    await Promise.all([
      clock.sleep(300).then(record('c')),
      clock.sleep(100).then(record('a')),
      clock.sleep(200).then(record('b1')),
      clock.sleep(200).then(record('b2')),
      clock.sleep(0).then(record('zero')),
    ]);
    expect(seen).toEqual(['zero@1000', 'a@1100', 'b1@1200', 'b2@1200', 'c@1300']);
  });

  it('simulates hours in well under a second of real time', async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const started = Date.now();
    for (let i = 0; i < 200; i++) await clock.sleep(60_000);
    expect(clock.now()).toBe(200 * 60_000);
    // 200 minutes of virtual time; generous for a shared, loaded machine.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('lets a woken sleeper schedule more work before time moves again', async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const order: string[] = [];
    const chain = (async () => {
      await clock.sleep(10);
      // Several promise hops before the next sleep: time must not jump meanwhile.
      await Promise.resolve();
      await Promise.resolve();
      order.push(`chain-woke@${clock.now()}`);
      await clock.sleep(5);
      order.push(`chain@${clock.now()}`);
    })();
    const other = clock.sleep(12).then(() => order.push(`other@${clock.now()}`));
    await Promise.all([chain, other]);
    expect(order).toEqual(['chain-woke@10', 'other@12', 'chain@15']);
  });

  it('does not advance while a real file write is in flight', async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const dir = await mkdtemp(join(tmpdir(), 'vclock-'));
    let timeAtWriteEnd = -1;
    const background = clock.sleep(1000);
    const write = writeFile(join(dir, 'f.txt'), 'x'.repeat(100_000)).then(() => {
      timeAtWriteEnd = clock.now();
    });
    await Promise.all([write, background]);
    expect(timeAtWriteEnd).toBe(0);
  });

  it('rejects a sleep with the abort reason and drops its timer', async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const controller = new AbortController();
    const sleeping = clock.sleep(10_000, controller.signal);
    controller.abort(new Error('stop now'));
    await expect(sleeping).rejects.toThrow('stop now');
    expect(clock.pending).toBe(0);
    expect(clock.now()).toBe(0);
    const already = AbortSignal.abort(new Error('too late'));
    await expect(clock.sleep(1, already)).rejects.toThrow('too late');
  });

  it('cancels scheduled callbacks', async () => {
    const clock = new VirtualClock({ startMs: 0 });
    let fired = false;
    const cancel = clock.schedule(50, () => (fired = true));
    cancel();
    await clock.sleep(100);
    expect(fired).toBe(false);
  });

  // Real milliseconds are involved (the waits are on real I/O), kept short by the caps passed in;
  // a slow machine can only make the clock wait longer, never turn either test red wrongly.
  it('a file request (a slow disk) holds time past the socket cap, until it lands', async () => {
    const lands = Date.now() + 60;
    const clock = new VirtualClock({
      startMs: 0,
      maxIoWaitMs: 5,
      maxFileWaitMs: 10_000,
      activeRequests: () => (Date.now() < lands ? ['FSReqCallback'] : []),
    });
    await clock.sleep(1);
    expect(Date.now()).toBeGreaterThanOrEqual(lands);
  });

  it('a socket request that never completes holds time only up to its cap', async () => {
    const started = Date.now();
    const clock = new VirtualClock({
      startMs: 0,
      maxIoWaitMs: 5,
      maxFileWaitMs: 10_000,
      activeRequests: () => ['WriteWrap'],
    });
    await clock.sleep(1);
    expect(clock.now()).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('never fires after stop()', async () => {
    const clock = new VirtualClock({ startMs: 0 });
    let fired = false;
    clock.schedule(1, () => (fired = true));
    clock.stop();
    await new Promise((r) => setTimeout(r, 5));
    expect(fired).toBe(false);
  });
});
