import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_DURATIONS } from '../../core/durations.js';
import { lowerBoundSeconds } from '../../core/lower-bound.js';
import type { Plan } from '../../core/plan.js';
import { allSteps } from '../../core/plan.js';
import { stepDeadlineSeconds } from '../../core/upper-bound.js';
import { loadConfig } from '../../app/config/load-config.js';
import { runPlanCommand } from './run-plan-command.js';

const CONFIG = new URL('../../../examples/drover.yaml', import.meta.url).pathname;

async function plan(json: boolean): Promise<string> {
  let stdout = '';
  const code = await runPlanCommand(
    'cattle',
    { config: CONFIG, to: '1.11.0', json },
    { stdout: (t) => void (stdout += t), stderr: () => undefined },
  );
  expect(code).toBe(0);
  return stdout;
}

describe('drover plan', () => {
  it('--json carries the upper bound: above the sum of the deadlines and far above the estimate', async () => {
    const doc = JSON.parse(await plan(true)) as Plan & { upperBoundSeconds: number };
    const loaded = await loadConfig(CONFIG);
    const deadlines = allSteps(doc)
      .map((s) => stepDeadlineSeconds(s.action, doc.policy))
      .reduce((a, b) => a + b, 0);
    // Retries (3 attempts by default) make the worst case well over the deadlines once each.
    expect(doc.upperBoundSeconds).toBeGreaterThan(2 * deadlines);
    expect(doc.upperBoundSeconds).toBeGreaterThan(
      10 * lowerBoundSeconds(doc, loaded.inventory, DEFAULT_STEP_DURATIONS),
    );
    expect(Number.isInteger(doc.upperBoundSeconds)).toBe(true);
  });

  it('prints the upper bound as hours and minutes in text', async () => {
    expect(await plan(false)).toMatch(/\nUpper bound: \d+h \d\dm \(/);
  });
});
