import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../core/policy.js';
import type { Plan, PlanStep, StepAction } from '../../core/plan.js';
import { jobTimeoutMinutes, planUpperBoundSeconds } from './plan-timeout.js';

const step = (action: StepAction, node?: string): PlanStep => ({
  id: `${node ?? 'cluster'}/${action}`,
  action,
  ...(node ? { node } : {}),
  params: {},
  title: action,
});

const plan = (units: number): Plan =>
  ({
    policy: DEFAULT_POLICY,
    phases: [
      {
        id: 'templates',
        steps: [step('rebuild-template')],
        units: [],
        concurrency: 'one-at-a-time',
      },
      {
        id: 'workers',
        steps: [],
        concurrency: 'disruption-policy',
        units: Array.from({ length: units }, (_, i) => ({
          node: `w${i}`,
          steps: (['cordon', 'drain', 'replace-vm', 'wait-ready', 'uncordon'] as const).map((a) =>
            step(a, `w${i}`),
          ),
        })),
      },
    ],
  }) as unknown as Plan;

describe('the upper bound of a plan', () => {
  it('is every step at its own deadline, one after the other', () => {
    const t = DEFAULT_POLICY.timeouts;
    const drain =
      DEFAULT_POLICY.drain.gracefulSeconds + DEFAULT_POLICY.drain.podTerminationTimeoutSeconds;
    const unit = 60 + drain + t.terraformSeconds + t.nodeReadySeconds + 60;
    expect(planUpperBoundSeconds(plan(2))).toBe(t.terraformSeconds + 2 * unit);
  });

  it('gives a job timeout in whole minutes, at least 30, at most GitHub’s 5 days', () => {
    expect(jobTimeoutMinutes(plan(0))).toBe(30);
    const bound = planUpperBoundSeconds(plan(3));
    expect(jobTimeoutMinutes(plan(3))).toBe(Math.ceil(bound / 60));
    expect(jobTimeoutMinutes(plan(500))).toBe(5 * 24 * 60);
  });
});
