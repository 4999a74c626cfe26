import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './policy.js';
import type { Plan, PlanStep, StepAction } from './plan.js';
import { planUpperBoundSeconds, retryBackoffSeconds, runOverheadSeconds } from './upper-bound.js';
import { exampleStep } from './testing/example-steps.js';

const step = (action: StepAction, node?: string): PlanStep => exampleStep(action, node);

const unitPlan = (units: number, policy = DEFAULT_POLICY): Plan =>
  ({
    policy,
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
  const t = DEFAULT_POLICY.timeouts;
  const drain =
    DEFAULT_POLICY.drain.gracefulSeconds + DEFAULT_POLICY.drain.podTerminationTimeoutSeconds;

  it('sums the backoffs between the attempts the retry cap allows (5 s doubling, capped)', () => {
    expect(
      retryBackoffSeconds({ attempts: 3, initialBackoffSeconds: 5, maxBackoffSeconds: 60 }),
    ).toBe(5 + 10);
    expect(
      retryBackoffSeconds({ attempts: 6, initialBackoffSeconds: 5, maxBackoffSeconds: 12 }),
    ).toBe(5 + 10 + 12 + 12 + 12);
    expect(
      retryBackoffSeconds({ attempts: 1, initialBackoffSeconds: 5, maxBackoffSeconds: 60 }),
    ).toBe(0);
  });

  it('is every step at its deadline on every attempt, with backoffs, pre-act and budget waits', () => {
    // Default retry: 3 attempts, 5 s + 10 s of backoff between them.
    const each = (deadline: number) => 3 * deadline + 15;
    const unit =
      t.gateSeconds +
      60 + // waiting for the disruption budget, then its last backoff
      t.gateSeconds +
      each(60) + // cordon: pre-act check, then the call
      each(drain) +
      t.gateSeconds +
      each(t.terraformSeconds) + // replace-vm
      each(t.nodeReadySeconds) +
      each(60);
    const templates = t.gateSeconds + each(t.terraformSeconds);
    // The Lease (a dead holder's TTL, default 300 s), terraform init, a stop's cleanup.
    const overhead = 300 + t.terraformSeconds + t.gateSeconds;
    expect(planUpperBoundSeconds(unitPlan(2))).toBe(overhead + templates + 2 * unit);
  });

  it('grows with the retry cap: one attempt is the plain sum of the deadlines', () => {
    const once = { ...DEFAULT_POLICY, retry: { ...DEFAULT_POLICY.retry, attempts: 1 } };
    const unit =
      t.gateSeconds +
      60 +
      t.gateSeconds +
      60 +
      drain +
      t.gateSeconds +
      t.terraformSeconds +
      t.nodeReadySeconds +
      60;
    expect(planUpperBoundSeconds(unitPlan(1, once))).toBe(
      runOverheadSeconds(unitPlan(1, once)) + t.gateSeconds + t.terraformSeconds + unit,
    );
    expect(planUpperBoundSeconds(unitPlan(1))).toBeGreaterThan(
      planUpperBoundSeconds(unitPlan(1, once)),
    );
  });

  it('counts the lock TTL it may wait on, and terraform init only for plans that use Terraform', () => {
    const plan = unitPlan(1);
    expect(planUpperBoundSeconds(plan, { lockTtlSeconds: 900 })).toBe(
      planUpperBoundSeconds(plan) + 600,
    );
    const inPlace = {
      ...plan,
      phases: [{ id: 'workers', steps: [], units: [], concurrency: 'one-at-a-time' }],
    } as unknown as Plan;
    expect(runOverheadSeconds(inPlace)).toBe(300 + t.gateSeconds);
  });
});
