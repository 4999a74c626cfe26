import { describe, expect, it } from 'vitest';
import { DroverError } from '../core/errors.js';
import { backoffMs, nextBackoffMs, withRetry } from './retry.js';
import { FakeClock } from './testing/fake-clock.js';

const retry = { attempts: 4, initialBackoffSeconds: 5, maxBackoffSeconds: 12 };
const transient = () => new DroverError('failed', 'KUBE_UNAVAILABLE', 'flaky');

describe('retries', () => {
  it.each([
    [1, 5000],
    [2, 10000],
    [3, 12000],
    [9, 12000],
  ])('backoff after attempt %i is %i ms', (attempt, ms) => {
    expect(backoffMs(attempt, retry)).toBe(ms);
  });

  it.each([
    [5000, 10000],
    [6000, 12000],
    [12000, 12000],
    [20000, 12000],
  ])('a loop keeping its own delay waits %i ms, then %i ms', (previous, next) => {
    expect(nextBackoffMs(previous, retry)).toBe(next);
  });

  it('retries transient errors with backoff on the injected clock, then succeeds', async () => {
    const clock = new FakeClock(0);
    let calls = 0;
    const waits: number[] = [];
    const value = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw transient();
        return 'ok';
      },
      { clock, retry, onRetry: (_e, _a, delay) => waits.push(delay) },
    );
    expect(value).toBe('ok');
    expect(waits).toEqual([5000, 10000]);
    expect(clock.now()).toBe(15000);
  });

  it('gives up after policy.retry.attempts', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw transient();
        },
        { clock: new FakeClock(0), retry },
      ),
    ).rejects.toMatchObject({ code: 'KUBE_UNAVAILABLE' });
    expect(calls).toBe(4);
  });

  it('does not retry errors whose code the catalogue marks final, whatever their details say', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new DroverError('failed', 'KUBE_REQUEST_FAILED', 'no', {
            details: { transient: true },
          });
        },
        { clock: new FakeClock(0), retry },
      ),
    ).rejects.toMatchObject({ code: 'KUBE_REQUEST_FAILED', retryable: false });
    expect(calls).toBe(1);
  });

  it('an abort during the backoff ends with ABORTED', async () => {
    const controller = new AbortController();
    const run = withRetry(
      async () => {
        controller.abort();
        throw transient();
      },
      { clock: new FakeClock(0), retry, signal: controller.signal },
    );
    await expect(run).rejects.toMatchObject({ code: 'ABORTED', category: 'aborted' });
  });

  // By time: a lock that holds until `freeAt` (virtual seconds), polled every 15 s until `until`.
  const locked = () => new DroverError('failed', 'TF_STATE_LOCKED', 'the state is locked');
  const onlyLocked = (e: unknown) => e instanceof DroverError && e.code === 'TF_STATE_LOCKED';
  it.each([
    { case: 'freed before the deadline', freeAt: 40, until: 60, ok: true, starts: [0, 15, 30, 45] },
    { case: 'held past it', freeAt: 999, until: 60, ok: false, starts: [0, 15, 30, 45, 60] },
    // The wait before the last attempt is never cut short: the last starts after the deadline.
    {
      case: 'deadline between polls',
      freeAt: 999,
      until: 50,
      ok: false,
      starts: [0, 15, 30, 45, 60],
    },
    {
      case: 'freed on the attempt after it',
      freeAt: 60,
      until: 50,
      ok: true,
      starts: [0, 15, 30, 45, 60],
    },
    { case: 'no budget left', freeAt: 999, until: 0, ok: false, starts: [0] },
    // More attempts than policy.retry.attempts: a budget counts time, not attempts.
    {
      case: 'a long hold',
      freeAt: 100,
      until: 300,
      ok: true,
      starts: [0, 15, 30, 45, 60, 75, 90, 105],
    },
  ])('by time, $case: attempts at $starts s', async ({ freeAt, until, ok, starts }) => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    const waits: number[] = [];
    const run = withRetry(
      async () => {
        at.push(clock.now() / 1000);
        if (clock.now() < freeAt * 1000) throw locked();
        return 'applied';
      },
      {
        clock,
        budget: { untilMs: until * 1000, delayMs: 15_000 },
        retryable: onlyLocked,
        onRetry: (_e, _a, delay) => waits.push(delay),
      },
    );
    if (ok) await expect(run).resolves.toBe('applied');
    else await expect(run).rejects.toMatchObject({ code: 'TF_STATE_LOCKED' });
    expect(at).toEqual(starts);
    expect(waits).toEqual(starts.slice(1).map(() => 15_000));
  });

  it('by time, an error the caller does not retry fails at once, however much time is left', async () => {
    const clock = new FakeClock(0);
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw transient();
        },
        { clock, budget: { untilMs: 600_000, delayMs: 15_000 }, retryable: onlyLocked },
      ),
    ).rejects.toMatchObject({ code: 'KUBE_UNAVAILABLE' });
    expect(calls).toBe(1);
    expect(clock.now()).toBe(0);
  });

  it.each([
    { when: 'in an attempt', abortIn: 'attempt' as const },
    { when: 'in the wait', abortIn: 'wait' as const },
  ])('by time, an abort $when ends it with ABORTED, not the lock', async ({ abortIn }) => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        if (calls === 2 && abortIn === 'attempt') controller.abort();
        throw locked();
      },
      {
        clock,
        signal: controller.signal,
        budget: { untilMs: 600_000, delayMs: 15_000 },
        retryable: onlyLocked,
        // Before the virtual clock moves: the abort lands while the wait sleeps.
        onRetry: () => {
          if (calls === 2 && abortIn === 'wait') queueMicrotask(() => controller.abort());
        },
      },
    );
    await expect(run).rejects.toMatchObject({ code: 'ABORTED', category: 'aborted' });
    expect(calls).toBe(2);
    expect(clock.now()).toBe(15_000);
  });
});
