import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { validateCluster } from './gates.js';
import type { NodeReading } from './gates.js';
import { mixedVersionsLine, mixedVersionsOf } from './mixed-versions.js';
import type { Plan } from './plan.js';
import { buildPlan } from './plan-build.js';
import { DEFAULT_POLICY } from './policy.js';
import type { ReportJournalEntry } from './report.js';

const inventory = referenceInventory();
const names = inventory.nodes.map((n) => n.name);
const plan = (kind: 'pets' | 'kubernetes'): Plan =>
  buildPlan(kind, {
    inventory,
    policy: DEFAULT_POLICY,
    from: '1.10.8',
    to: kind === 'pets' ? '1.10.9' : '1.10.8',
    kubernetes: { from: '1.33.5', to: kind === 'pets' ? '1.33.5' : '1.34.0' },
  });
const finished = (stepId: string, extra: Partial<ReportJournalEntry> = {}): ReportJournalEntry => ({
  type: 'step-finished',
  at: 1,
  runId: 'r',
  stepId,
  outcome: 'succeeded',
  ...extra,
});
const unitDone = (p: Plan, node: string) =>
  p.phases
    .flatMap((ph) => ph.units)
    .find((u) => u.node === node)!
    .steps.map((s) => finished(s.id));

describe('mixedVersionsOf', () => {
  it('from the final validation when it ran (live)', () => {
    const entries = [
      finished('cluster/validate-cluster', {
        action: 'validate-cluster',
        data: { notAtTarget: names.slice(1) },
      }),
    ];
    expect(mixedVersionsOf(plan('pets'), inventory, entries)).toEqual({
      target: '1.10.9',
      atTarget: [names[0]],
      notAtTarget: names.slice(1),
      source: 'live',
    });
  });

  it('a validation that found every node at the target: not mixed', () => {
    const entries = [
      finished('cluster/validate-cluster', {
        action: 'validate-cluster',
        data: { notAtTarget: [] },
      }),
    ];
    expect(mixedVersionsOf(plan('pets'), inventory, entries)).toBeNull();
  });

  it('a run that stopped: the nodes whose cycle finished (journal)', () => {
    const p = plan('pets');
    const entries = [...unitDone(p, 'k8s-ctrl-1'), finished('k8s-ctrl-2/gate-etcd')];
    const mixed = mixedVersionsOf(p, inventory, entries)!;
    expect(mixed.source).toBe('journal');
    expect(mixed.atTarget).toEqual(['k8s-ctrl-1']);
    expect(mixed.notAtTarget).toContain('k8s-ctrl-2');
    expect(mixedVersionsLine(mixed)).toMatch(
      /1 of 15 nodes run 1\.10\.9; not yet: k8s-ctrl-2, k8s-ctrl-3, k8s-work-1, .* and 6 more\.$/,
    );
  });

  it('a run that stopped before any node finished: not mixed; kubernetes: never', () => {
    expect(mixedVersionsOf(plan('pets'), inventory, [finished('k8s-ctrl-1/gate-etcd')])).toBeNull();
    expect(
      mixedVersionsOf(plan('kubernetes'), inventory, unitDone(plan('pets'), 'k8s-ctrl-1')),
    ).toBeNull();
  });
});

describe('validateCluster with versionNodes (a selected run)', () => {
  const node = (name: string, talos: string): NodeReading =>
    ({
      name,
      ready: 'True',
      unschedulable: false,
      talosVersion: talos,
      kubeletVersion: 'v1.33.5',
    }) as NodeReading;
  const reading = (nodes: NodeReading[]) => ({ nodes, helmReleases: [], problemPods: [] });
  const expectation = { expectedNodes: ['a', 'b'], gpuNodes: [], talos: '1.10.9' };

  it('passes with the others behind, but not with a selected node behind or any node missing', () => {
    const mixed = [node('a', '1.10.9'), node('b', '1.10.8')];
    expect(validateCluster(reading(mixed), { ...expectation, versionNodes: ['a'] }).verdict).toBe(
      'pass',
    );
    expect(validateCluster(reading(mixed), { ...expectation, versionNodes: ['b'] }).verdict).toBe(
      'wait',
    );
    expect(validateCluster(reading(mixed), expectation).verdict).toBe('wait');
    expect(
      validateCluster(reading([mixed[0]!]), { ...expectation, versionNodes: ['a'] }).verdict,
    ).toBe('wait');
  });
});
