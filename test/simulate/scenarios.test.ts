/**
 * End to end through the simulate run function: the real engine against the simulated
 * cluster. Each scripted fault ends as docs/scenarios.md ("Faults and what a correct run does") says: retried and succeeded, or stopped at the
 * right node and step with the right exit code, zero invariant violations, later nodes untouched.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../src/adapters/simulated/index.js';
import type { ScenarioInput } from '../../src/adapters/simulated/scenario/schema.js';
import type { UpgradeReport } from '../../src/core/report.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

function replaced(report: UpgradeReport): Record<string, number> {
  return Object.fromEntries(report.nodes.map((n) => [n.name, n.vmReplacements]));
}

describe('drover simulate (reference cluster)', () => {
  it('upgrades every node once, zero violations, nothing left cordoned, in well under 2 s of CPU per run', async () => {
    const started = process.cpuUsage();
    const { exitCode, report, stderr } = await simulateInProcess({});
    const cpu = process.cpuUsage(started);
    expect(exitCode).toBe(0);
    expect(report.outcome).toBe('succeeded');
    expect(report.violations).toEqual([]);
    expect(report.kind).toBe('cattle');
    expect([report.from, report.to]).toEqual(['1.10.8', '1.11.0']);
    expect(report.nodes).toHaveLength(15);
    expect(
      report.nodes.every(
        (n) => n.outcome === 'succeeded' && n.vmReplacements === 1 && !n.leftCordoned,
      ),
    ).toBe(true);
    expect(report.durationSeconds).toBeGreaterThanOrEqual(report.lowerBoundSeconds);
    expect(report.lowerBoundSeconds).toBeGreaterThan(0);
    expect(report.resumed).toBe(false);
    expect(stderr).toContain('Invariant violations: none.');
    // CPU, not wall time: the machine running the tests is shared.
    expect((cpu.user + cpu.system) / 1e6).toBeLessThan(6);
  });

  it('pets (in-place talosctl upgrade) on the same cluster: no VM replaced, zero violations', async () => {
    const { exitCode, report } = await simulateInProcess({ kind: 'pets' });
    expect(exitCode).toBe(0);
    expect(report.kind).toBe('pets');
    expect(report.violations).toEqual([]);
    expect(report.nodes.every((n) => n.outcome === 'succeeded' && n.vmReplacements === 0)).toBe(
      true,
    );
  });

  it('three workers at once inside one failure domain (the reference policy): faster than one at a time, still zero violations', async () => {
    const file = scenarioFile(dir, 'sequential-workers', (s) => {
      s.policy = {
        ...s.policy,
        disruption: { maxUnavailableWorkers: 1, maxUnavailableDomains: 1 },
      };
    });
    const sequential = await simulateInProcess({ scenarioFile: file });
    expect(sequential.exitCode).toBe(0);
    expect(sequential.report.violations).toEqual([]);
    const { exitCode, report } = await simulateInProcess({});
    expect(exitCode).toBe(0);
    expect(report.violations).toEqual([]);
    expect(report.nodes.every((n) => n.vmReplacements === 1)).toBe(true);
    expect(report.durationSeconds).toBeLessThan(sequential.report.durationSeconds);
    expect(report.durationSeconds).toBeGreaterThanOrEqual(report.lowerBoundSeconds);
  });

  it('is deterministic for a seed', async () => {
    const a = await simulateInProcess({ seed: 7 });
    const b = await simulateInProcess({ seed: 7 });
    expect(a.report.durationSeconds).toBe(b.report.durationSeconds);
    expect(a.report.nodes.map((n) => n.steps.map((s) => s.durationSeconds))).toEqual(
      b.report.nodes.map((n) => n.steps.map((s) => s.durationSeconds)),
    );
  });
});

interface FaultCase {
  name: string;
  /** As written in a scenario file: defaults are filled in when it is loaded. */
  faults: NonNullable<ScenarioInput['faults']>;
  policy?: Scenario['policy'];
  exitCode: number;
  /** Where it stops (undefined: it succeeds). */
  stepId?: string;
  code?: string;
  /** Nodes that must end with their VM untouched. */
  untouched?: string[];
}

const workers = Array.from({ length: 12 }, (_, i) => `k8s-work-${i + 1}`);
const after = (node: string) => workers.slice(workers.indexOf(node) + 1);

const cases: FaultCase[] = [
  {
    name: 'replace-vm fails twice (transient): retried, succeeds',
    faults: [
      { type: 'step-fails', action: 'replace-vm', node: 'k8s-work-5', times: 2, transient: true },
    ],
    exitCode: 0,
  },
  {
    name: 'apply-config fails once (transient): retried, succeeds',
    faults: [
      { type: 'step-fails', action: 'apply-config', node: 'k8s-ctrl-2', times: 1, transient: true },
    ],
    exitCode: 0,
  },
  {
    name: 'a PDB never allows eviction: forced after the graceful window (policy allows), succeeds',
    faults: [{ type: 'pdb-blocks', namespace: 'apps', name: 'web' }],
    exitCode: 0,
  },
  {
    name: 'a PDB never allows eviction and force is not allowed: stops at the first drain that needs it',
    faults: [{ type: 'pdb-blocks', namespace: 'apps', name: 'web' }],
    policy: { drain: { forceAfterGrace: false } },
    exitCode: 1,
    code: 'DRAIN_BLOCKED',
  },
  {
    name: 'cordon always fails on k8s-ctrl-2: stops there, ctrl-3 and workers untouched',
    faults: [{ type: 'step-fails', action: 'cordon', node: 'k8s-ctrl-2', times: 'always' }],
    exitCode: 1,
    stepId: 'k8s-ctrl-2/cordon',
    untouched: ['k8s-ctrl-2', 'k8s-ctrl-3', ...workers],
  },
  {
    name: 'every state backup fails: nothing (template or VM) is destroyed',
    faults: [{ type: 'step-fails', action: 'backup-state', times: 'always' }],
    exitCode: 1,
    untouched: ['k8s-ctrl-1', 'k8s-ctrl-2', 'k8s-ctrl-3', ...workers],
  },
  {
    name: 'a node never becomes Ready: stops at its wait-ready',
    faults: [{ type: 'never-ready', node: 'k8s-work-3' }],
    exitCode: 1,
    stepId: 'k8s-work-3/wait-ready',
    code: 'NODE_NOT_READY',
    untouched: after('k8s-work-3'),
  },
  {
    name: 'an etcd member is unhealthy: the gate waits, then blocks (exit 3), nothing replaced',
    faults: [{ type: 'etcd-unhealthy', node: 'k8s-ctrl-3' }],
    exitCode: 3,
    stepId: 'k8s-ctrl-1/gate-etcd',
    code: 'ETCD_UNHEALTHY',
    untouched: ['k8s-ctrl-1', 'k8s-ctrl-2', 'k8s-ctrl-3', ...workers],
  },
  {
    name: 'S3 unavailable: no backup, so nothing is destroyed',
    faults: [{ type: 's3-unavailable' }],
    exitCode: 1,
    untouched: ['k8s-ctrl-1', 'k8s-ctrl-2', 'k8s-ctrl-3', ...workers],
  },
  {
    name: 'the Terraform plan touches an extra resource: refused before apply (exit 3)',
    faults: [{ type: 'plan-extra-resource', node: 'k8s-work-2' }],
    exitCode: 3,
    stepId: 'k8s-work-2/replace-vm',
    code: 'PLAN_SCOPE',
    untouched: ['k8s-work-2', ...after('k8s-work-2')],
  },
  {
    name: 'the old VM still answers (x509): stops at once',
    faults: [{ type: 'old-vm-lingers', node: 'k8s-work-1' }],
    exitCode: 1,
    stepId: 'k8s-work-1/wait-maintenance',
    code: 'TALOS_OLD_VM_ANSWERS',
    // k8s-work-2 and -3 were recreated in the same apply and finish their cycle.
    untouched: after('k8s-work-3'),
  },
  {
    name: 'a worker down on its own uses the whole budget: Drover waits, then stops (exit 3)',
    faults: [{ type: 'node-down', node: 'k8s-work-9' }],
    policy: { disruption: { maxUnavailableWorkers: 1, maxUnavailableDomains: 1 } },
    exitCode: 3,
    code: 'DISRUPTION_BUDGET_EXHAUSTED',
    untouched: workers,
  },
  {
    name: 'a worker down for a while: Drover waits for it, then finishes',
    faults: [{ type: 'node-down', node: 'k8s-work-9', fromSeconds: 0, untilSeconds: 3000 }],
    exitCode: 0,
  },
];

describe('scripted faults', () => {
  it.each(cases)('$name', async (fault) => {
    const file = scenarioFile(dir, fault.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60), (s) => {
      s.faults = fault.faults as Scenario['faults'];
      if (fault.policy) s.policy = { ...s.policy, ...fault.policy };
    });
    const { exitCode, report } = await simulateInProcess({ scenarioFile: file });
    expect(report.violations).toEqual([]);
    expect(exitCode, JSON.stringify(report.failure)).toBe(fault.exitCode);
    if (fault.exitCode === 0) {
      expect(Object.values(replaced(report)).every((n) => n === 1)).toBe(true);
      expect(report.nodes.some((n) => n.leftCordoned)).toBe(false);
      return;
    }
    expect(report.outcome).toBe('failed');
    expect(report.failure).not.toBeNull();
    if (fault.stepId) expect(report.failure?.stepId).toBe(fault.stepId);
    if (fault.code) expect(report.failure?.code).toBe(fault.code);
    expect(report.failure?.hint).toBeTruthy();
    for (const node of fault.untouched ?? []) expect(replaced(report)[node], node).toBe(0);
    // Never went on to a later node of the same phase (its batch mates, started with it on the
    // same host, aside).
    const stoppedAt = report.failure?.node;
    if (stoppedAt) {
      const names = report.nodes.map((n) => n.name);
      const hostOf = (name: string) => report.nodes.find((n) => n.name === name)?.host;
      const later = names
        .slice(names.indexOf(stoppedAt) + 1)
        .filter((n) => n.startsWith(stoppedAt.replace(/-\d+$/, '')))
        .filter((n) => !(n.startsWith('k8s-work') && hostOf(n) === hostOf(stoppedAt)));
      for (const n of later)
        expect(report.nodes.find((x) => x.name === n)?.outcome, n).toBe('not-started');
    }
  });
});

describe('the example scenarios in examples/', () => {
  const expected: Record<string, { exitCode: number; stepId?: string }> = {
    'reference.yaml': { exitCode: 0 },
    'small-cluster.yaml': { exitCode: 0 },
    'fault-transient-replace.yaml': { exitCode: 0 },
    'fault-pdb-blocks.yaml': { exitCode: 0 },
    'fault-never-ready.yaml': { exitCode: 1, stepId: 'k8s-work-7/wait-ready' },
    'fault-s3-unavailable.yaml': { exitCode: 1 },
    'fault-plan-extra-resource.yaml': { exitCode: 3, stepId: 'k8s-work-2/replace-vm' },
    'fault-etcd-unhealthy.yaml': { exitCode: 1, stepId: 'k8s-ctrl-1/wait-etcd-rejoin' },
    'fault-etcd-after-drain.yaml': { exitCode: 0 },
    'window-closes.yaml': { exitCode: 4, stepId: 'run' },
  };
  it.each(Object.entries(expected))(
    '%s ends as its comment says, zero violations',
    async (file, want) => {
      const { exitCode, report } = await simulateInProcess({
        scenarioFile: join('examples', file),
      });
      expect(report.violations).toEqual([]);
      expect(exitCode, JSON.stringify(report.failure)).toBe(want.exitCode);
      if (want.stepId) expect(report.failure?.stepId).toBe(want.stepId);
    },
  );
});
