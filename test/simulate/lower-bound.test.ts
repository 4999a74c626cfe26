/**
 * The lower bound against real runs: the engine on the simulated cluster never beats it, and
 * stays within a reasonable factor of it, for both kinds, sequential and parallel, over several
 * seeds. Each step taken also lasts at least the minimum the bound counts for it, which is what
 * keeps the bound true whatever the seed draws.
 */
import { describe, expect, it } from 'vitest';
import { referenceScenario } from '../../src/adapters/simulated/index.js';
import { deriveDurations } from '../../src/adapters/simulated/scenario/derive.js';
import { stepMinimums } from '../../src/core/durations.js';
import type { PlanStep, StepAction } from '../../src/core/plan.js';
import { STEP_ACTIONS } from '../../src/core/plan.js';
import type { StepReport } from '../../src/core/report.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';
import { exampleStep } from '../../src/core/testing/example-steps.js';

const dir = tempDir();
// The reference policy takes one host's three workers at once; the sequential one, one worker.
const sequential = scenarioFile(dir, 'sequential-workers', (s) => {
  s.policy = { ...s.policy, disruption: { maxUnavailableWorkers: 1, maxUnavailableDomains: 1 } };
});
const durations = deriveDurations(referenceScenario());

/** The report's steps in the order they ran, as plan steps (the report names each action). */
function asPlanSteps(steps: StepReport[]): PlanStep[] {
  return steps.map((s) => {
    expect(STEP_ACTIONS).toContain(s.name);
    return { ...exampleStep(s.name as StepAction), id: s.id, title: s.name };
  });
}

const CASES = (['cattle', 'pets'] as const).flatMap((kind) =>
  [1, 2, 3].flatMap((seed) => [
    { kind, policy: 'sequential', seed, scenarioFile: sequential },
    { kind, policy: '3 workers in one host', seed, scenarioFile: undefined },
  ]),
);

describe('lower bound against simulated runs', () => {
  it.each(CASES)('$kind, $policy, seed $seed', async ({ kind, policy, seed, scenarioFile }) => {
    const { exitCode, report } = await simulateInProcess({
      kind,
      seed,
      ...(scenarioFile === undefined ? {} : { scenarioFile }),
    });
    expect(exitCode).toBe(0);
    expect(report.outcome).toBe('succeeded');
    const ratio = report.durationSeconds / report.lowerBoundSeconds;
    console.log(
      `${kind}, ${policy}, seed ${seed}: ${report.durationSeconds} s against a bound of ${report.lowerBoundSeconds} s, ratio ${ratio.toFixed(3)}`,
    );
    expect(report.lowerBoundSeconds).toBeGreaterThan(0);
    expect(report.durationSeconds).toBeGreaterThanOrEqual(report.lowerBoundSeconds);
    expect(ratio).toBeLessThan(1.6);
    // Step by step: no sequence got to the end of a step sooner than the minimums of its steps
    // so far add up to (0.05 s a step for the report's rounding). Cumulative, because a wait
    // that follows a boot (etcd rejoin, GPUs) counts from the boot, and a check between may take
    // a second of it.
    const sequences = [report.clusterSteps, ...report.nodes.map((n) => n.steps)];
    let checked = 0;
    for (const steps of sequences) {
      const minimums = stepMinimums(asPlanSteps(steps), durations);
      let took = 0;
      let least = 0;
      steps.forEach((s, i) => {
        expect(s.outcome, s.id).toBe('succeeded');
        took += s.durationSeconds;
        least += minimums[i]!;
        expect(took, s.id).toBeGreaterThanOrEqual(least - 0.05 * (i + 1));
        checked++;
      });
    }
    expect(checked).toBeGreaterThan(report.nodes.length * 5);
  });
});
