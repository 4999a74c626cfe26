import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_DURATIONS } from '../core/durations.js';
import { DroverError } from '../core/errors.js';
import { maintenancePolicyOf } from '../core/maintenance-window-grammar.js';
import type { PlanStep } from '../core/plan.js';
import { FakeClock } from './testing/fake-clock.js';
import { awaitWindow, expectedSeconds, isWindowClosed, windowGuard } from './window-gate.js';
import { exampleStep } from '../core/testing/example-steps.js';

const policy = (outsideWindow: 'wait' | 'exit') =>
  maintenancePolicyOf({ windows: ['Sat 02:00-06:00 UTC'], outsideWindow });
const END = Date.parse('2026-12-05T06:00:00Z');
const step = (action: PlanStep['action']): PlanStep => exampleStep(action, 'n');
// 300 + 240 + 150 = 690 s expected.
const STEPS = [step('replace-vm'), step('wait-maintenance'), step('wait-ready')];
const noLog = () => undefined;

function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('windowGuard: a node starts only when its expected duration ends by the window end', () => {
  it.each([
    ['exactly at the end', END - 690_000, false],
    ['one second past the end', END - 689_000, true],
    ['well inside', END - 3_600_000, false],
    ['after the window closed', END + 1, true],
  ])('%s', (_what, now, refused) => {
    expect(expectedSeconds(STEPS, DEFAULT_STEP_DURATIONS)).toBe(690);
    const clock = new FakeClock(now);
    const guard = windowGuard(policy('exit'), DEFAULT_STEP_DURATIONS, clock, noLog);
    const error = thrown(() => guard?.beforeStart('k8s-work-1', STEPS));
    expect(isWindowClosed(error)).toBe(refused);
    if (refused) {
      expect((error as DroverError).category).toBe('aborted');
      expect((error as DroverError).hint).toContain('--resume');
    }
  });

  it('no windows: no guard; nothing to run: nothing to check', () => {
    expect(windowGuard(undefined, DEFAULT_STEP_DURATIONS, new FakeClock(), noLog)).toBeUndefined();
    const guard = windowGuard(
      policy('exit'),
      DEFAULT_STEP_DURATIONS,
      new FakeClock(END + 1),
      noLog,
    );
    expect(thrown(() => guard?.beforeStart('the validation phase', []))).toBeUndefined();
  });
});

describe('awaitWindow', () => {
  const reporter = { event: () => undefined };

  it('outside a window with exit: refused (exit 3), the next window named', async () => {
    const clock = new FakeClock(Date.parse('2026-12-05T07:00:00Z'));
    const error = await awaitWindow(policy('exit'), { clock, reporter }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DroverError);
    expect((error as DroverError).category).toBe('refused');
    expect((error as DroverError).code).toBe('OUTSIDE_WINDOW');
    expect((error as DroverError).message).toContain('next: 2026-12-12 02:00 UTC');
  });

  it('outside a window with wait: sleeps on the clock port until the window opens', async () => {
    const clock = new FakeClock(Date.parse('2026-12-05T07:00:00Z'));
    const note = await awaitWindow(policy('wait'), { clock, reporter });
    expect(clock.now()).toBe(Date.parse('2026-12-12T02:00:00Z'));
    expect(note).toContain('waited for the next');
  });

  it('inside a window: at once', async () => {
    const clock = new FakeClock(Date.parse('2026-12-05T03:00:00Z'));
    expect(await awaitWindow(policy('exit'), { clock, reporter })).toContain('inside');
    expect(clock.now()).toBe(Date.parse('2026-12-05T03:00:00Z'));
  });
});
