/**
 * The baseline: how long the same plan takes done one node at a time, every step at its nominal
 * duration (durations.ts): what an operator working through the nodes by hand, or Drover with
 * `maxUnavailableWorkers: 1`, would spend. Reported beside the lower bound so a run's duration
 * reads against both: the baseline says what batching and overlap saved, the lower bound what
 * no schedule could beat.
 *
 * Cluster steps run as the plan runs them (template rebuilds in waves of the policy's
 * templateRebuildConcurrency, the others one after the other); every unit of every phase runs
 * alone, its steps end to end at their nominal durations. A nominal duration is what a step
 * takes when it has something to do, so this is what a sequential run costs in the usual case
 * (the reference cluster's one-at-a-time run takes within 1 % of it).
 */
import type { StepDurations } from './durations.js';
import type { Plan, PlanStep } from './plan.js';

const nominal = (steps: readonly PlanStep[], durations: StepDurations): number =>
  steps.reduce((sum, s) => sum + durations[s.action], 0);

export function baselineSeconds(plan: Plan, durations: StepDurations): number {
  const slots = Math.max(1, plan.policy.disruption.templateRebuildConcurrency);
  let total = 0;
  for (const phase of plan.phases) {
    const rebuilds = phase.steps.filter((s) => s.action === 'rebuild-template');
    const others = phase.steps.filter((s) => s.action !== 'rebuild-template');
    for (let i = 0; i < rebuilds.length; i += slots)
      total += Math.max(...rebuilds.slice(i, i + slots).map((s) => durations[s.action]));
    total += nominal(others, durations);
    for (const unit of phase.units) total += nominal(unit.steps, durations);
  }
  return total;
}
