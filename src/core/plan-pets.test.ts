import { describe, expect, it } from 'vitest';
import {
  BASE_SCHEMATIC,
  GPU_SCHEMATIC,
  referenceInventory,
} from '../../test/fixtures/reference-inventory.js';
import { allSteps } from './plan.js';
import type { Plan, StepAction } from './plan.js';
import { findStep } from './plan-step.js';
import type { StepIdOf } from './plan-step.js';
import type { PlanInput } from './plan-build.js';
import { buildPetsPlan } from './plan-pets.js';
import { DEFAULT_POLICY } from './policy.js';

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    inventory: referenceInventory(),
    policy: DEFAULT_POLICY,
    from: '1.11.0',
    to: '1.11.3',
    ...overrides,
  };
}
const unitActions = (plan: Plan, node: string): StepAction[] =>
  plan.phases
    .flatMap((p) => p.units)
    .find((u) => u.node === node)!
    .steps.map((s) => s.action);
const step = <A extends StepAction>(plan: Plan, id: StepIdOf<A>) => findStep(allSteps(plan), id);

describe('buildPetsPlan', () => {
  const plan = buildPetsPlan(input());

  it('has control plane, workers and validation phases', () => {
    expect(
      plan.phases.map((p) => [p.id, p.concurrency, p.units.length, p.steps.map((s) => s.id)]),
    ).toEqual([
      ['control-plane', 'one-at-a-time', 3, []],
      ['workers', 'disruption-policy', 12, ['cluster/gate-api-stable']],
      ['validation', 'one-at-a-time', 0, ['cluster/validate-cluster']],
    ]);
  });

  it.each<[string, StepAction[]]>([
    [
      'k8s-ctrl-1',
      [
        'gate-etcd',
        'cordon',
        'drain',
        'talos-upgrade',
        'wait-ready',
        'verify-version',
        'wait-etcd-rejoin',
        'uncordon',
      ],
    ],
    [
      'k8s-work-1',
      [
        'gate-health',
        'storage-noout-set',
        'cordon',
        'drain',
        'talos-upgrade',
        'wait-ready',
        'verify-version',
        'storage-noout-unset',
        'uncordon',
        'post-checks',
      ],
    ],
    [
      'k8s-work-10',
      [
        'gate-health',
        'storage-noout-set',
        'cordon',
        'drain',
        'talos-upgrade',
        'wait-ready',
        'verify-version',
        'wait-gpu',
        'storage-noout-unset',
        'uncordon',
        'post-checks',
      ],
    ],
  ])('%s has its in-place cycle', (node, expected) => {
    expect(unitActions(plan, node)).toEqual(expected);
  });

  it.each([
    ['k8s-ctrl-2', `factory.talos.dev/nocloud-installer/${BASE_SCHEMATIC}:v1.11.3`],
    ['k8s-work-2', `factory.talos.dev/nocloud-installer/${BASE_SCHEMATIC}:v1.11.3`],
    ['k8s-work-4', `factory.talos.dev/nocloud-installer/${GPU_SCHEMATIC}:v1.11.3`],
  ])('%s upgrades with its own schematic', (node, image) => {
    expect(step(plan, `${node}/talos-upgrade`)?.params).toEqual({ image, version: '1.11.3' });
  });

  it('uses the metal installer for a node booted from the metal ISO', () => {
    const inventory = referenceInventory();
    inventory.nodes[0] = { ...inventory.nodes[0]!, platform: 'metal' };
    expect(
      step(buildPetsPlan(input({ inventory })), 'k8s-ctrl-1/talos-upgrade')?.params.image,
    ).toBe(`factory.talos.dev/metal-installer/${BASE_SCHEMATIC}:v1.11.3`);
  });

  it('never replaces a VM or touches templates', () => {
    const used = new Set(allSteps(plan).map((s) => s.action));
    for (const action of [
      'replace-vm',
      'rebuild-template',
      'backup-state',
      'etcd-leave',
      'apply-config',
    ] as const)
      expect(used.has(action)).toBe(false);
  });

  it('plans a route of several hops as one plan with a phase per hop and hop-keyed step ids', () => {
    const hopped = buildPetsPlan(input({ from: '1.8.4', hops: ['1.10.9', '1.11.3'] }));
    expect(hopped.hops).toEqual(['1.10.9', '1.11.3']);
    expect(hopped.from).toBe('1.8.4');
    expect(hopped.phases.map((p) => [p.id, p.hop ?? null])).toEqual([
      ['control-plane', '1.10.9'],
      ['workers', '1.10.9'],
      ['control-plane', '1.11.3'],
      ['workers', '1.11.3'],
      ['validation', null],
    ]);
    expect(step(hopped, 'k8s-work-4/talos-upgrade@1.10.9')?.params).toEqual({
      image: `factory.talos.dev/nocloud-installer/${GPU_SCHEMATIC}:v1.10.9`,
      version: '1.10.9',
    });
    expect(step<'verify-version'>(hopped, 'k8s-work-4/verify-version@1.11.3')?.params.talos).toBe(
      '1.11.3',
    );
    expect(step(hopped, 'cluster/validate-cluster')?.params.talos).toBe('1.11.3');
    // Every node is upgraded once per hop, hop 1 before hop 2.
    const upgrades = allSteps(hopped).filter((s) => s.action === 'talos-upgrade');
    expect(upgrades).toHaveLength(2 * 15);
    expect(upgrades.findIndex((s) => s.id.endsWith('@1.11.3'))).toBe(15);
  });

  it('checks kubelets when the Kubernetes version is known', () => {
    const withK8s = buildPetsPlan(input({ kubernetes: { from: '1.34.0', to: '1.34.0' } }));
    expect(step(withK8s, 'k8s-work-3/verify-version')?.params).toEqual({
      talos: '1.11.3',
      kubelet: '1.34.0',
    });
  });
});
