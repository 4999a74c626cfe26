/**
 * Invariant exactly-once-after-crash with time moving on (issue 10, must show): the run dies after every step of one
 * control plane cycle and one worker cycle, and inside the operations of a worker cycle (a crash
 * fault keyed to the request, half-way through it); the world lives on alone for an hour; the
 * resumed run finishes with every VM replaced exactly once and zero violations. In-process, on
 * the small cluster, so the whole sweep takes seconds.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSimulatedCluster, loadScenario } from '../../src/adapters/simulated/index.js';
import type { Scenario } from '../../src/adapters/simulated/index.js';
import { buildPlan } from '../../src/core/plan-build.js';
import type { UpgradeReport } from '../../src/core/report.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { crashAndResume, tempDir } from './helpers.js';

const SMALL = join('examples', 'small-cluster.yaml');
const HOUR = 3600;

async function cycles(): Promise<{ controlPlane: number[]; worker: number[] }> {
  const scenario = loadScenario(readFileSync(SMALL, 'utf8'), SMALL);
  const cluster = await createSimulatedCluster({ scenario, seed: 1 });
  const plan = buildPlan('cattle', {
    inventory: cluster.inventory,
    policy: cluster.policy,
    from: cluster.from,
    to: cluster.to,
  });
  await cluster.close();
  // Steps complete in plan order here (one node at a time): count them to each cycle.
  let done = 0;
  const ranges: number[][] = [];
  for (const phase of plan.phases) {
    done += phase.steps?.length ?? 0;
    for (const unit of phase.units ?? []) {
      ranges.push(unit.steps.map((_s, i) => done + i + 1));
      done += unit.steps.length;
    }
  }
  const units = plan.phases.flatMap((p) => p.units ?? []);
  const firstWorker = units.findIndex((u) => u.steps.some((s) => s.node?.startsWith('worker-')));
  return { controlPlane: ranges[0] ?? [], worker: ranges[firstWorker] ?? [] };
}

function expectFinishedOnce(report: UpgradeReport | undefined): void {
  expect(report?.violations).toEqual([]);
  expect(report?.outcome, JSON.stringify(report?.failure)).toBe('succeeded');
  expect(report?.resumed).toBe(true);
  expect(report?.nodes.filter((n) => n.vmReplacements !== 1).map((n) => n.name)).toEqual([]);
  expect(report?.nodes.some((n) => n.leftCordoned)).toBe(false);
}

const { controlPlane, worker } = await cycles();

describe('crash after every step of a cycle, resume an hour later', () => {
  it.each([
    ...controlPlane.map((n) => ['control plane', n] as const),
    ...worker.map((n) => ['worker', n] as const),
  ])('%s cycle, killed after step %i', async (_cycle, n) => {
    const run = await crashAndResume({
      scenarioFile: SMALL,
      crashAfterSteps: n,
      advanceSeconds: HOUR,
    });
    expect(run.crashed).toBe(true);
    expectFinishedOnce(run.resumed?.report);
  });

  // Inside `terraform apply`: the dead run's own state lock is released on resume (issue 10).
  it('worker-2: dies 60 s into its replace-vm (terraform apply)', async () => {
    const file = withCrash(
      {
        type: 'crash',
        when: { request: 'replace-vm', node: 'worker-2', moment: 'before', delaySeconds: 60 },
      },
      'crash-replace-vm',
    );
    const run = await crashAndResume({ scenarioFile: file, advanceSeconds: HOUR });
    expect(run.crashed).toBe(true);
    expectFinishedOnce(run.resumed?.report);
  });
});

const dir = tempDir();
function withCrash(fault: NonNullable<Scenario['faults']>[number], name: string): string {
  const scenario = loadScenario(readFileSync(SMALL, 'utf8'), SMALL);
  scenario.name = name;
  scenario.faults = [fault];
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(scenario));
  return file;
}

describe('crash in the middle of an operation, resume an hour later', () => {
  const operations = [
    ['cordon', 0],
    ['drain', 30],
    ['backup-state', 2],
    ['wait-maintenance', 0],
    ['apply-config', 5],
    ['uncordon', 0],
  ] as const;
  it.each(operations)('worker-2: dies in its %s (%i s in)', async (request, delaySeconds) => {
    const file = withCrash(
      { type: 'crash', when: { request, node: 'worker-2', moment: 'before', delaySeconds } },
      `crash-${request}`,
    );
    const run = await crashAndResume({ scenarioFile: file, advanceSeconds: HOUR });
    expect(run.crashed).toBe(true);
    expectFinishedOnce(run.resumed?.report);
  });
});
