/**
 * Talos as it really fails, end to end through the simulate run function (issue 10 items on
 * talosctl upgrade, pets drain, the etcd leader; issue 11's Talos faults). Every case keeps every
 * invariant: the twin records a second in-place upgrade without a version read (11), a pets
 * upgrade of a node Drover did not drain (6) and a leader that leaves etcd without forfeiting (1).
 */
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/adapters/simulated/index.js';
import type { ScenarioInput } from '../../src/adapters/simulated/scenario/schema.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

async function run(
  name: string,
  kind: 'pets' | 'cattle' | 'kubernetes',
  faults: NonNullable<ScenarioInput['faults']>,
) {
  const file = scenarioFile(dir, name, (s) => {
    s.faults = faults as Scenario['faults'];
    // A Kubernetes minor hop (1.33 -> 1.34) on a Talos line that supports both (1.11).
    if (kind === 'kubernetes') {
      s.upgrade.talos = { from: '1.11.0', to: '1.11.3' };
      s.upgrade.kubernetes.to = '1.34.1';
    }
  });
  return simulateInProcess({ scenarioFile: file, kind });
}

const stepsOf = (report: { nodes: { name: string; steps: { name: string }[] }[] }, node: string) =>
  report.nodes.find((n) => n.name === node)?.steps.map((s) => s.name) ?? [];

describe('pets on the reference cluster', () => {
  it('cordons and drains every node under the drain policy before talosctl upgrade, zero violations', async () => {
    const { exitCode, report } = await simulateInProcess({ kind: 'pets' });
    expect(exitCode).toBe(0);
    expect(report.violations).toEqual([]);
    for (const node of report.nodes) {
      const steps = stepsOf(report, node.name);
      expect(steps.indexOf('drain'), node.name).toBeGreaterThan(steps.indexOf('cordon'));
      expect(steps.indexOf('talos-upgrade'), node.name).toBeGreaterThan(steps.indexOf('drain'));
    }
  });
});

describe('talosctl upgrade failure paths (pets)', () => {
  it('the connection drops during the reboot: Drover reads version and boot, the node counts as upgraded once', async () => {
    const { exitCode, report } = await run('talos-drop-reboot', 'pets', [
      { type: 'talos-upgrade-drops', node: 'k8s-work-2', at: 'during-reboot' },
      { type: 'talos-upgrade-drops', node: 'k8s-ctrl-2', at: 'during-reboot' },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode, JSON.stringify(report.failure)).toBe(0);
  });

  it('Unavailable before the upgrade started (twice): read between calls, upgraded on the third, within the policy', async () => {
    const { exitCode, report } = await run('talos-drop-before', 'pets', [
      { type: 'talos-upgrade-drops', node: 'k8s-work-4', at: 'before-upgrade', times: 2 },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode, JSON.stringify(report.failure)).toBe(0);
  });

  it('more drops than the policy attempts: stops at that node, no call past the cap', async () => {
    const { exitCode, report } = await run('talos-drop-cap', 'pets', [
      { type: 'talos-upgrade-drops', node: 'k8s-work-4', at: 'before-upgrade', times: 10 },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({
      stepId: 'k8s-work-4/talos-upgrade',
      code: 'TALOS_UPGRADE_ATTEMPTS',
    });
  });

  it('Talos rolls the node back: a failure with that diagnosis, never a second upgrade, later nodes untouched', async () => {
    const { exitCode, report } = await run('talos-rollback', 'pets', [
      { type: 'talos-rolls-back', node: 'k8s-work-2' },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({
      stepId: 'k8s-work-2/talos-upgrade',
      code: 'TALOS_UPGRADE_ROLLED_BACK',
    });
    expect(report.failure?.hint).toMatch(/old version/);
    // k8s-work-3 went with it (one host's workers are one batch); the next host never started.
    expect(report.nodes.find((n) => n.name === 'k8s-work-4')?.outcome).toBe('not-started');
  });

  it('a node that never comes back: a failure after the upgrade timeout, saying where it stopped', async () => {
    const { exitCode, report } = await run('talos-never-back', 'pets', [
      { type: 'talos-never-back', node: 'k8s-work-1' },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({
      stepId: 'k8s-work-1/talos-upgrade',
      code: 'TALOS_NODE_NOT_BACK',
    });
    expect(report.failure?.message).toMatch(/unavailable, retrying/);
  });
});

describe('the etcd leader is the node that leaves (cattle)', () => {
  it.each(['k8s-ctrl-1', 'k8s-ctrl-2', 'k8s-ctrl-3'])(
    'leader %s: leadership is moved first, no election, zero violations',
    async (leader) => {
      const { exitCode, report } = await run(`etcd-leader-${leader}`, 'cattle', [
        { type: 'etcd-leader', node: leader },
      ]);
      expect(report.violations).toEqual([]);
      expect(exitCode, JSON.stringify(report.failure)).toBe(0);
    },
  );
});

describe('upgrade-k8s refuses on removed APIs (kubernetes)', () => {
  it('a user-action error listing them (exit 3), at the dry run, never retried as "safe to re-run"', async () => {
    const { exitCode, report } = await run('k8s-removed-apis', 'kubernetes', [
      {
        type: 'k8s-removed-apis',
        resource: 'flowschemas.v1beta2.flowcontrol.apiserver.k8s.io',
        count: 3,
      },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(3);
    expect(report.failure).toMatchObject({ code: 'TALOS_K8S_REMOVED_APIS', category: 'refused' });
    expect(report.failure?.message).toMatch(
      /3 flowschemas\.v1beta2\.flowcontrol\.apiserver\.k8s\.io/,
    );
    expect(report.failure?.hint).not.toMatch(/re-running is safe/);
  });
});
