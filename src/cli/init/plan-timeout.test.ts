import { describe, expect, it } from 'vitest';
import { planUpperBoundSeconds } from '../../core/upper-bound.js';
import { DEFAULT_POLICY } from '../../core/policy.js';
import type { Plan } from '../../core/plan.js';
import { jobTimeoutMinutes } from './plan-timeout.js';

/** `units` workers, each replaced. */
const unitPlan = (units: number): Plan =>
  ({
    policy: DEFAULT_POLICY,
    phases: [
      {
        id: 'workers',
        steps: [],
        concurrency: 'disruption-policy',
        units: Array.from({ length: units }, (_, i) => ({
          node: `w${i}`,
          steps: [
            { id: `w${i}/replace-vm`, action: 'replace-vm', node: `w${i}`, params: {}, title: '' },
          ],
        })),
      },
    ],
  }) as unknown as Plan;

describe('the job timeout', () => {
  it('is the plan’s upper bound in whole minutes, at least 30, at most GitHub’s 5 days', () => {
    expect(jobTimeoutMinutes(unitPlan(0))).toBe(
      Math.max(30, Math.ceil(planUpperBoundSeconds(unitPlan(0)) / 60)),
    );
    expect(jobTimeoutMinutes(unitPlan(3))).toBe(Math.ceil(planUpperBoundSeconds(unitPlan(3)) / 60));
    expect(jobTimeoutMinutes(unitPlan(500))).toBe(5 * 24 * 60);
  });
});
