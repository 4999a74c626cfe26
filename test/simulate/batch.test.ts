/**
 * Batched replacements (issue 15) when something goes wrong: outcomes stay per node, the scope
 * check holds per node, and resume finishes the rest and never replaces a VM twice. (The
 * reference run's batches and figures: batch-reference.test.ts.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applies } from './batch-audit.js';
import { crashAndResume, scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

const WORKERS = Array.from({ length: 12 }, (_, i) => `k8s-work-${i + 1}`);

describe('batched replacements', () => {
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
});
