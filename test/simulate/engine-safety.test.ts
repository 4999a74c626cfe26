/** The engine's safety on the twin: noout counted per domain, untouched nodes put back on a stop. */
import { describe, expect, it } from 'vitest';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

describe('Ceph noout is reference-counted per failure domain (invariant noout-while-away)', () => {
  it('three workers of one host at once: noout stays until the last is back, then is unset', async () => {
    const file = scenarioFile(dir, 'noout-count', (s) => {
      s.policy = {
        ...s.policy,
        disruption: { ...s.policy.disruption, maxUnavailableWorkers: 3, maxUnavailableDomains: 1 },
      };
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file });
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(0);
  });
});

describe('a stop puts back what nothing destructive touched (invariant uncordon-when-done)', () => {
  it('a plan refused by the scope check: the node is uncordoned and noout unset', async () => {
    const file = scenarioFile(dir, 'refused-plan', (s) => {
      s.faults = [{ type: 'plan-extra-resource', node: 'k8s-work-5' }];
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file });
    expect(exitCode).toBe(3);
    expect(report.violations).toEqual([]);
    const node = report.nodes.find((n) => n.name === 'k8s-work-5');
    expect(node?.leftCordoned).toBe(false);
    expect(report.notes.join('\n')).toContain('k8s-work-5 put back in service');
    expect(report.notes.join('\n')).toContain('Ceph noout unset again on heimdall');
  });
});

describe('the upgrade lease (invariant single-lease-holder)', () => {
  it('left by a dead runner, freshly renewed by its clock: taken over after one TTL watched unchanged', async () => {
    const file = scenarioFile(dir, 'lease-dead-holder', (s) => {
      s.faults = [
        {
          type: 'lease-held-by-dead-runner',
          holder: 'drover/ci-7/run-x/0a1b2c3d4e5f',
          renewedSecondsAgo: 0,
          leaseDurationSeconds: 300,
        },
      ];
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file });
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.notes.join('\n')).toContain(
      'took over the cluster lock from drover/ci-7/run-x/0a1b2c3d4e5f',
    );
  });
});

describe('a node that already left etcd is brought back, not held back (invariant uncordon-when-done: nothing half-done)', () => {
  it('k8s-ctrl-3 fails its health reads from the moment k8s-ctrl-1 leaves: ctrl-1 is still recreated, then the run stops cleanly (chaos seed 39)', async () => {
    const file = scenarioFile(dir, 'etcd-unhealthy-at-leave', (s) => {
      s.faults = [
        {
          type: 'etcd-unhealthy',
          node: 'k8s-ctrl-3',
          when: { request: 'etcd-leave', node: 'k8s-ctrl-1', moment: 'before', delaySeconds: 0 },
        },
      ] as never;
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file });
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.failure?.code).toBe('ETCD_REJOIN_TIMEOUT');
    expect(report.nodes.find((n) => n.name === 'k8s-ctrl-1')?.vmReplacements).toBe(1);
  });
});
