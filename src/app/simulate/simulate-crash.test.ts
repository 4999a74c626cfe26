import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../adapters/simulated/virtual-clock.js';
import { hangGuard } from './simulate-crash.js';

const DAY = 24 * 3600 * 1000;

describe('hangGuard', () => {
  it('never calls a run hung while steps keep finishing, however long it takes', async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const guard = hangGuard(clock, { deadlineSeconds: 2 * 24 * 3600 });
    let hung = false;
    guard.hung.catch(() => (hung = true));
    // Twenty simulated days, one finished step a day: ten times the deadline in all.
    for (let day = 0; day < 20; day++) {
      await clock.sleep(DAY);
      guard.progressed();
    }
    expect(hung).toBe(false);
    clock.stop();
  });

  it('fails with SIMULATION_HUNG once no step finished for the deadline', async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const guard = hangGuard(clock, { deadlineSeconds: 2 * 24 * 3600 });
    await clock.sleep(DAY);
    guard.progressed();
    await expect(guard.hung).rejects.toMatchObject({ code: 'SIMULATION_HUNG' });
    // Counted from the last finished step (day 1), not from the start.
    expect(clock.now()).toBe(3 * DAY);
    clock.stop();
  });
});
