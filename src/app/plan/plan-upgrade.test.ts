import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_DURATIONS } from '../../core/durations.js';
import { lowerBoundSeconds } from '../../core/lower-bound.js';
import { allSteps } from '../../core/plan.js';
import { stepDeadlineSeconds } from '../../core/upper-bound.js';
import { loadConfig } from '../config/load-config.js';
import { planUpgrade } from './plan-upgrade.js';

const CONFIG = new URL('../../../examples/drover.yaml', import.meta.url).pathname;

describe('planUpgrade', () => {
  it('carries the upper bound: above the sum of the deadlines and far above the estimate', async () => {
    const { plan, upperBoundSeconds } = await planUpgrade({
      kind: 'cattle',
      config: CONFIG,
      to: '1.11.0',
      selection: {},
    });
    const loaded = await loadConfig(CONFIG);
    const deadlines = allSteps(plan)
      .map((s) => stepDeadlineSeconds(s.action, plan.policy))
      .reduce((a, b) => a + b, 0);
    // Retries (3 attempts by default) make the worst case well over the deadlines once each.
    expect(upperBoundSeconds).toBeGreaterThan(2 * deadlines);
    expect(upperBoundSeconds).toBeGreaterThan(
      10 * lowerBoundSeconds(plan, loaded.inventory, DEFAULT_STEP_DURATIONS),
    );
    expect(Number.isInteger(upperBoundSeconds)).toBe(true);
  });

  it('cuts the plan to the selection, and the bound with it', async () => {
    const request = { kind: 'cattle', config: CONFIG, to: '1.11.0' } as const;
    const whole = await planUpgrade({ ...request, selection: {} });
    const canary = await planUpgrade({ ...request, selection: { canary: 1 } });
    const nodes = (p: typeof whole.plan) =>
      new Set(p.phases.flatMap((phase) => phase.units.map((u) => u.node)).filter(Boolean));
    expect(nodes(canary.plan).size).toBeLessThan(nodes(whole.plan).size);
    expect(canary.upperBoundSeconds).toBeLessThan(whole.upperBoundSeconds);
  });
});
