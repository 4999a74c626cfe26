import { describe, expect, it } from 'vitest';
import { SystemClock } from './system-clock.js';

describe('SystemClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = new SystemClock().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('resolves a zero sleep', async () => {
    await expect(new SystemClock().sleep(0)).resolves.toBeUndefined();
  });

  it('rejects with the reason when aborted before or during the sleep', async () => {
    const clock = new SystemClock();
    const early = new AbortController();
    early.abort(new Error('stop'));
    await expect(clock.sleep(60_000, early.signal)).rejects.toThrow('stop');

    const late = new AbortController();
    const sleeping = clock.sleep(60_000, late.signal);
    late.abort(new Error('SIGTERM'));
    await expect(sleeping).rejects.toThrow('SIGTERM');
  });
});
