/**
 * The kubeconfig points at one control plane node rather than a VIP (issue 11 "Kubernetes as a
 * real cluster looks"), over HTTP with the real client, end to end through the simulate run
 * function. Apart from kubernetes-faults.test.ts: its lease and watch timeouts are real time.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/adapters/simulated/index.js';
import type { UpgradeReport } from '../../src/core/report.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

const replacedWorkers = (report: UpgradeReport) =>
  report.nodes.filter((n) => n.role === 'worker' && n.vmReplacements > 0).map((n) => n.name);

describe('the API endpoint is a control plane node (no VIP), over HTTP', () => {
  // The API's only endpoint is the machine being replaced: the engine cannot renew its lease or
  // re-check before acting, so it stops cleanly, either at the pre-act read (KUBE_UNAVAILABLE) or
  // once its lease would have expired by its own clock (LOCK_LOST). With a VIP, or an endpoint
  // list, the run would succeed instead; the invariants hold either way.
  it('while k8s-ctrl-1 is away the API cannot be reached and watches go half-open: no invariant breaks', async () => {
    const { exitCode, report } = await simulateInProcess({
      scenarioFile: scenarioFile(dir, 'api-endpoint-node', (s) => {
        s.faults = [{ type: 'api-endpoint-node', node: 'k8s-ctrl-1' }] as Scenario['faults'];
      }),
      api: 'http',
    });
    expect(report.violations).toEqual([]);
    if (exitCode !== 0) {
      expect(exitCode).toBe(1);
      expect(report.failure?.node).toBe('k8s-ctrl-1');
      expect(['KUBE_UNAVAILABLE', 'LOCK_LOST']).toContain(report.failure?.code);
      expect(replacedWorkers(report)).toEqual([]);
    }
  }, 120_000);
});
