import { describe, expect, it } from 'vitest';
import { DroverError } from '../core/errors.js';
import { backoffMs, withRetry } from './retry.js';
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
});
