/**
 * Faults keyed to what the cluster is asked to do, end to end through the engine: they fire
 * between a gate and the destructive step it guards, which a time-keyed fault can only hit by
 * luck. A correct run re-checks right before acting (invariant recheck-before-act) and keeps every invariant.
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/adapters/simulated/index.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

async function run(name: string, faults: unknown[]) {
  const file = scenarioFile(dir, name, (s) => {
    s.faults = faults as Scenario['faults'];
  });
  return simulateInProcess({ scenarioFile: file });
}

describe('faults keyed to requests (reference cluster)', () => {
  it('etcd member of k8s-ctrl-3 unhealthy right after k8s-ctrl-1 is drained, for 10 min: the etcd leave waits for it, zero violations', async () => {
    const { exitCode, report } = await run('etcd-after-drain', [
      {
        type: 'etcd-unhealthy',
        node: 'k8s-ctrl-3',
        when: { request: 'drain', node: 'k8s-ctrl-1', moment: 'after', forSeconds: 600 },
      },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode, JSON.stringify(report.failure)).toBe(0);
    expect(report.nodes.every((n) => n.vmReplacements === 1)).toBe(true);
    // The fault fired: the run waited for the member (same seed without it is faster).
    const baseline = await simulateInProcess({});
    expect(report.durationSeconds).toBeGreaterThan(baseline.report.durationSeconds + 300);
  });

  it('over --api http (the real client against the fake API server) the drain is reported too: the same fault fires', async () => {
    const file = scenarioFile(dir, 'etcd-after-drain-http', (s) => {
      s.faults = [
        {
          type: 'etcd-unhealthy',
          node: 'k8s-ctrl-3',
          when: { request: 'drain', node: 'k8s-ctrl-1', moment: 'after', forSeconds: 600 },
        },
      ] as Scenario['faults'];
    });
    const withFault = await simulateInProcess({ scenarioFile: file, api: 'http' });
    expect(withFault.report.violations).toEqual([]);
    expect(withFault.exitCode).toBe(0);
    const baseline = await simulateInProcess({ api: 'http' });
    expect(withFault.report.durationSeconds).toBeGreaterThan(baseline.report.durationSeconds + 300);
  }, 120_000);

  it('replace-vm of k8s-work-2 fails once as it is asked (step-fails keyed to the request): retried, zero violations', async () => {
    const { exitCode, report } = await run('replace-fails', [
      { type: 'step-fails', action: 'replace-vm', node: 'k8s-work-2', times: 1 },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(0);
  });

  // k8s-work-7 (odin) goes down on its own right after k8s-work-1 (baldar) was drained, for 30
  // minutes: the re-check right before k8s-work-1's apply sees two domains would be down, waits
  // its gate deadline (600 s) and stops cleanly with nothing destroyed (issue 10, re-check).
  it('k8s-work-7 goes down right after k8s-work-1 is drained: no second failure domain goes down', async () => {
    const { report } = await run('down-after-drain', [
      {
        type: 'node-down',
        node: 'k8s-work-7',
        when: { request: 'drain', node: 'k8s-work-1', moment: 'after', forSeconds: 1800 },
      },
    ]);
    expect(report.violations).toEqual([]);
    expect(report.outcome).toBe('failed');
    expect(report.failure).toMatchObject({
      stepId: 'k8s-work-1/replace-vm',
      code: 'PRE_ACT_BLOCKED',
    });
    expect(report.nodes.find((n) => n.name === 'k8s-work-1')?.vmReplacements).toBe(0);
  });
});
