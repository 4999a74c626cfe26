/**
 * The pipelined schedule (issue 15): a control plane node's backup and plan check (its lead-in,
 * core/lead-in.ts) run while the node before it boots, and its etcd gate, cordon and etcd leave
 * still wait until that node is back; workers started together share one state backup. The
 * safety around it: a refused plan found ahead stops the run with the node before finished and
 * the next untouched; a crash inside the lead-in resumes with every VM replaced once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UpgradeReport } from '../../src/core/report.js';
import type { AuditRecord } from '../../src/engine/context.js';
import { crashAndResume, scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

function at(report: UpgradeReport, node: string, action: string, edge: 'startedAt' | 'finishedAt') {
  const step = report.nodes.find((n) => n.name === node)?.steps.find((s) => s.name === action);
  const iso = step?.[edge];
  if (iso === undefined || iso === null) return undefined;
  return Date.parse(iso);
}

const PAIRS = [
  ['k8s-ctrl-1', 'k8s-ctrl-2'],
  ['k8s-ctrl-2', 'k8s-ctrl-3'],
] as const;

describe('pipelined schedule', () => {
  it("reference cattle: the next control plane node's backup and plan check overlap the boot of the one before; its etcd gate waits for it", async () => {
    const auditFile = join(dir, 'audit.jsonl');
    const { exitCode, report } = await simulateInProcess({ auditFile });
    expect(exitCode).toBe(0);
    expect(report.violations).toEqual([]);
    for (const [before, next] of PAIRS) {
      const replaced = at(report, before, 'replace-vm', 'finishedAt')!;
      const booted = at(report, before, 'wait-maintenance', 'finishedAt')!;
      const back = at(report, before, 'uncordon', 'finishedAt')!;
      // Not before the node before released the state, and done while it still boots.
      expect(at(report, next, 'backup-state', 'startedAt')).toBeGreaterThanOrEqual(replaced);
      expect(at(report, next, 'check-replace-plan', 'finishedAt')).toBeLessThan(booted);
      // What takes the node out of service, or needs the node before, waits for it to be back.
      for (const action of ['gate-etcd', 'cordon', 'etcd-leave', 'replace-vm'])
        expect(at(report, next, action, 'startedAt'), `${next} ${action}`).toBeGreaterThanOrEqual(
          back,
        );
    }
    // Workers: one verified backup per host batch (4), none of their own for the batch mates.
    const puts = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord)
      .filter((r) => r.operation === 'stateBackup.put' && r.node?.startsWith('k8s-work'));
    expect(puts).toHaveLength(4);
    for (const node of report.nodes) expect(node.vmReplacements, node.name).toBe(1);
    // The figures this buys (issue 15): 6467 s before the pipeline, the bound 5650 s then.
    console.log(
      `pipelined reference: ${report.durationSeconds} s, bound ${report.lowerBoundSeconds} s (x${(report.durationSeconds / report.lowerBoundSeconds).toFixed(3)}), baseline ${report.baselineSeconds} s`,
    );
    expect(report.durationSeconds).toBeLessThanOrEqual(6320);
    expect(report.durationSeconds).toBeLessThanOrEqual(1.14 * report.lowerBoundSeconds);
    expect(report.durationSeconds).toBeGreaterThanOrEqual(report.lowerBoundSeconds);
  });

  it('a plan of the next control plane node refused while the node before boots: that node finishes, the next is left untouched (exit 3)', async () => {
    const scenario = scenarioFile(dir, 'lead-in-refused', (s) => {
      (s as { faults: unknown[] }).faults = [
        {
          type: 'plan-changes-module-resource',
          node: 'k8s-ctrl-2',
          resource: 'talos_machine_bootstrap.this',
        },
      ];
      (s as { terraform: unknown }).terraform = {
        ...s.terraform,
        nodeModuleResources: ['talos_machine_bootstrap.this'],
      };
    });
    const { exitCode, report } = await simulateInProcess({ scenarioFile: scenario });
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(3);
    expect(report.failure).toMatchObject({
      stepId: 'k8s-ctrl-2/check-replace-plan',
      code: 'PLAN_SCOPE',
    });
    // Found during k8s-ctrl-1's boot: k8s-ctrl-1 finished its cycle, back in service.
    expect(at(report, 'k8s-ctrl-2', 'check-replace-plan', 'finishedAt')).toBeLessThan(
      at(report, 'k8s-ctrl-1', 'uncordon', 'finishedAt')!,
    );
    expect(report.nodes.find((n) => n.name === 'k8s-ctrl-1')).toMatchObject({
      outcome: 'succeeded',
      vmReplacements: 1,
    });
    // k8s-ctrl-2 as it was: never gated, cordoned or out of etcd; nothing after it started.
    for (const action of ['gate-etcd', 'cordon', 'etcd-leave', 'replace-vm'])
      expect(at(report, 'k8s-ctrl-2', action, 'startedAt'), action).toBeUndefined();
    expect(at(report, 'k8s-ctrl-3', 'backup-state', 'startedAt')).toBeUndefined();
  });

  it.each([15, 16])(
    'the runner dies after %i steps (inside the next node’s lead-in): resume finishes, each VM replaced once',
    async (crashAfterSteps) => {
      const run = await crashAndResume({ crashAfterSteps });
      expect(run.crashed).toBe(true);
      const { exitCode, report } = run.resumed!;
      expect(exitCode).toBe(0);
      expect(report.violations).toEqual([]);
      expect(report.resumed).toBe(true);
      for (const node of report.nodes) {
        expect(node.vmReplacements, node.name).toBe(1);
        expect(node.outcome, node.name).toBe('succeeded');
      }
    },
  );
});
