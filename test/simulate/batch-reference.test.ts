/**
 * Batched replacements (issue 15) in the reference run: each host's workers go in one Terraform
 * operation, and the run's figures: at most half the one-at-a-time baseline and within 15 % of
 * the lower bound, in memory and over HTTP. A policy another setting caps says so. (Failures,
 * the scope check and resume inside a batch: batch.test.ts.)
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applies } from './batch-audit.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

describe('batched replacements in the reference run', () => {
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
