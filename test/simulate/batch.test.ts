/**
 * Batched replacements (issue 15): workers the disruption policy lets go down together are
 * replaced by one Terraform operation; outcomes stay per node; resume finishes the rest and never
 * replaces a VM twice. And the reference run's figures: at most half the one-at-a-time baseline
 * and within 15 % of the lower bound, in memory and over HTTP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/engine/context.js';
import { crashAndResume, scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

function applies(auditFile: string): AuditRecord[] {
  return readFileSync(auditFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord)
    .filter((r) => r.operation === 'infrastructure.apply' && r.stepId?.endsWith('/replace-vm'));
}

const WORKERS = Array.from({ length: 12 }, (_, i) => `k8s-work-${i + 1}`);

describe('batched replacements', () => {
  it("the reference run recreates each host's three workers in one apply, each VM once", async () => {
    const auditFile = join(dir, 'audit-reference.jsonl');
    const { exitCode, report } = await simulateInProcess({ auditFile });
    expect(exitCode).toBe(0);
    expect(report.violations).toEqual([]);
    const workerApplies = applies(auditFile).filter((r) => r.node?.startsWith('k8s-work'));
    // One apply per host (4), each naming its three workers; the control plane one at a time.
    expect(workerApplies.map((r) => r.inputs.batch)).toEqual([
      ['k8s-work-1', 'k8s-work-2', 'k8s-work-3'],
      ['k8s-work-4', 'k8s-work-5', 'k8s-work-6'],
      ['k8s-work-7', 'k8s-work-8', 'k8s-work-9'],
      ['k8s-work-10', 'k8s-work-11', 'k8s-work-12'],
    ]);
    for (const r of workerApplies) expect(r.result).toBe('ok');
    for (const node of report.nodes) expect(node.vmReplacements, node.name).toBe(1);
  });

  it.each(['memory', 'http'] as const)(
    'the reference run (--api %s): at most 0.5 x the baseline and 1.15 x the lower bound, no violation',
    async (api) => {
      const { exitCode, report } = await simulateInProcess({ api });
      expect(exitCode).toBe(0);
      expect(report.violations).toEqual([]);
      console.log(
        `reference, --api ${api}: ${report.durationSeconds} s; baseline ${report.baselineSeconds} s (x${(report.durationSeconds / report.baselineSeconds).toFixed(3)}); lower bound ${report.lowerBoundSeconds} s (x${(report.durationSeconds / report.lowerBoundSeconds).toFixed(3)})`,
      );
      expect(report.durationSeconds).toBeLessThanOrEqual(0.5 * report.baselineSeconds);
      expect(report.durationSeconds).toBeLessThanOrEqual(1.15 * report.lowerBoundSeconds);
      expect(report.durationSeconds).toBeGreaterThanOrEqual(report.lowerBoundSeconds);
    },
  );

  it('a VM that fails in the apply fails its own node only; a transient failure is retried for that node alone', async () => {
    const auditFile = join(dir, 'audit-transient.jsonl');
    const scenario = scenarioFile(dir, 'batch-transient', (s) => {
      s.faults = [
        {
          type: 'step-fails',
          action: 'replace-vm',
          node: 'k8s-work-2',
          times: 1,
          transient: true,
          message: 'Error: error waiting for VM clone: 500 Internal Server Error (simulated)',
        },
      ];
    });
    const { exitCode, report } = await simulateInProcess({ scenarioFile: scenario, auditFile });
    expect(exitCode).toBe(0);
    expect(report.violations).toEqual([]);
    const baldar = applies(auditFile).filter((r) =>
      ['k8s-work-1', 'k8s-work-2', 'k8s-work-3'].includes(r.node ?? ''),
    );
    // One apply for the three (k8s-work-2 failed in it), then one for k8s-work-2 alone.
    expect(baldar.map((r) => [r.inputs.batch ?? [r.node], r.result])).toEqual([
      [['k8s-work-1', 'k8s-work-2', 'k8s-work-3'], 'error'],
      [['k8s-work-2'], 'ok'],
    ]);
    for (const node of report.nodes) expect(node.vmReplacements, node.name).toBe(1);
  });

  it('a VM that keeps failing stops the run at that node; resume finishes it and replaces no VM twice', async () => {
    const scenario = scenarioFile(dir, 'batch-fails', (s) => {
      s.faults = [
        {
          type: 'step-fails',
          action: 'replace-vm',
          node: 'k8s-work-2',
          times: 1,
          transient: false,
          message: 'Error: storage local-lvm is full (simulated)',
        },
      ];
    });
    const files = {
      worldFile: join(dir, 'fails-world.json'),
      journalFile: join(dir, 'fails.jsonl'),
    };
    const first = await simulateInProcess({ scenarioFile: scenario, ...files });
    expect(first.exitCode).toBe(1);
    expect(first.report.violations).toEqual([]);
    expect(first.report.failure).toMatchObject({
      node: 'k8s-work-2',
      stepId: 'k8s-work-2/replace-vm',
    });
    const byName = new Map(first.report.nodes.map((n) => [n.name, n]));
    // Its batch mates were recreated by the same apply and finished their cycle.
    expect(byName.get('k8s-work-1')).toMatchObject({ outcome: 'succeeded', vmReplacements: 1 });
    expect(byName.get('k8s-work-3')).toMatchObject({ outcome: 'succeeded', vmReplacements: 1 });
    expect(byName.get('k8s-work-2')?.vmReplacements).toBe(0);

    const resumed = await simulateInProcess({ scenarioFile: scenario, ...files, resume: true });
    expect(resumed.exitCode).toBe(0);
    expect(resumed.report.violations).toEqual([]);
    for (const name of WORKERS)
      expect(resumed.report.nodes.find((n) => n.name === name)?.vmReplacements, name).toBe(1);
  });

  it('the scope check holds per node: one node whose plan reaches beyond its VM stops the whole apply', async () => {
    const scenario = scenarioFile(dir, 'batch-scope', (s) => {
      s.faults = [
        {
          type: 'plan-changes-module-resource',
          node: 'k8s-work-2',
          resource: 'talos_machine_configuration_apply.this',
          actions: ['delete', 'create'],
        },
      ];
    });
    const { exitCode, report } = await simulateInProcess({ scenarioFile: scenario });
    expect(exitCode).toBe(3);
    expect(report.violations).toEqual([]);
    expect(report.failure).toMatchObject({ stepId: 'k8s-work-2/replace-vm', code: 'PLAN_SCOPE' });
    expect(report.failure?.message).toMatch(/k8s-work-2/);
    // Its batch mates stopped with it, saying why; nothing of the batch was applied.
    const mate = report.nodes
      .find((n) => n.name === 'k8s-work-1')
      ?.steps.find((s) => s.name === 'replace-vm');
    expect(mate?.message).toMatch(/batch was refused for k8s-work-2/);
    // Nothing of the batch was applied.
    for (const name of ['k8s-work-1', 'k8s-work-2', 'k8s-work-3'])
      expect(report.nodes.find((n) => n.name === name)?.vmReplacements, name).toBe(0);
  });

  it('the runner dies inside a batch apply in which one VM failed: resume replaces each VM exactly once', async () => {
    const scenario = scenarioFile(dir, 'batch-crash', (s) => {
      s.faults = [
        {
          type: 'step-fails',
          action: 'replace-vm',
          node: 'k8s-work-2',
          times: 1,
          transient: false,
          message: 'Error: storage local-lvm is full (simulated)',
        },
        { type: 'crash-during-apply', node: 'k8s-work-1' },
      ];
    });
    const { crashed, resumed } = await crashAndResume({ scenarioFile: scenario });
    expect(crashed).toBe(true);
    expect(resumed?.exitCode).toBe(0);
    expect(resumed?.report.violations).toEqual([]);
    for (const name of WORKERS)
      expect(resumed?.report.nodes.find((n) => n.name === name)?.vmReplacements, name).toBe(1);
  });

  it('a scenario setting another caps says so on stderr, naming both fields', async () => {
    const scenario = scenarioFile(dir, 'capped-policy', (s) => {
      s.policy = {
        ...s.policy,
        disruption: { maxUnavailableWorkers: 1, maxUnavailableDomains: 1, petsBatchSize: 3 },
      };
    });
    const { exitCode, stderr } = await simulateInProcess({ scenarioFile: scenario, kind: 'pets' });
    expect(exitCode).toBe(0);
    expect(stderr).toContain(
      'warning: policy.disruption.petsBatchSize (3) is capped by policy.disruption.maxUnavailableWorkers (1)',
    );
    // The reference policy takes effect as written: no warning.
    expect((await simulateInProcess({ kind: 'pets' })).stderr).not.toContain('warning: policy');
  });
});
