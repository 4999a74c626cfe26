import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { allSteps } from './plan.js';
import type { PlanInput } from './plan-build.js';
import { buildKubernetesPlan, kubernetesHops } from './plan-kubernetes.js';
import { DEFAULT_POLICY } from './policy.js';

function input(from: string, to: string, hops?: string[]): PlanInput {
  return {
    inventory: referenceInventory(),
    policy: DEFAULT_POLICY,
    from: '1.11.0',
    to: '1.11.0',
    kubernetes: { from, to },
    ...(hops === undefined ? {} : { hops }),
  };
}

describe('kubernetesHops', () => {
  it.each<[string, string, string[] | undefined, string[]]>([
    ['1.33.1', '1.33.4', undefined, ['1.33.4']],
    ['1.33.4', '1.34.1', undefined, ['1.34.1']],
    ['1.32.3', '1.34.1', undefined, ['1.33.0', '1.34.1']],
    ['1.30.0', '1.34.2', undefined, ['1.31.0', '1.32.0', '1.33.0', '1.34.2']],
    ['1.34.1', '1.34.1', undefined, []],
    ['1.32.3', '1.34.1', ['1.33.5', '1.34.1'], ['1.33.5', '1.34.1']],
    ['1.32.3', '1.34.1', ['v1.32.9', '1.33.5', '1.34.1'], ['1.32.9', '1.33.5', '1.34.1']],
  ])('%s -> %s (hops %j) = %j', (from, to, given, expected) => {
    expect(kubernetesHops(from, to, given)).toEqual(expected);
  });

  it.each<[string, string, string[] | undefined, string, string]>([
    ['1.34.1', '1.33.4', undefined, 'refused', 'K8S_DOWNGRADE'],
    ['1.34.1', '1.34.0', undefined, 'refused', 'K8S_DOWNGRADE'],
    ['1.34.1', '2.0.0', undefined, 'refused', 'K8S_PATH_UNSUPPORTED'],
    ['1.32.3', '1.34.1', ['1.34.1'], 'input', 'HOPS_INVALID'],
    ['1.32.3', '1.34.1', ['1.33.0', '1.33.0', '1.34.1'], 'input', 'HOPS_INVALID'],
    ['1.32.3', '1.34.1', ['1.33.0'], 'input', 'HOPS_INVALID'],
  ])('%s -> %s (hops %j) is %s %s', (from, to, given, category, code) => {
    expect(() => kubernetesHops(from, to, given)).toThrow(
      expect.objectContaining({ category, code }),
    );
  });
});

describe('buildKubernetesPlan', () => {
  it('dry-runs then upgrades each hop, then validates', () => {
    const plan = buildKubernetesPlan(input('1.32.3', 'v1.34.1'));
    expect([plan.kind, plan.from, plan.to, plan.hops]).toEqual([
      'kubernetes',
      '1.32.3',
      '1.34.1',
      ['1.33.0', '1.34.1'],
    ]);
    // A phase per hop.
    expect(plan.phases.map((p) => [p.id, p.hop])).toEqual([
      ['kubernetes', '1.33.0'],
      ['kubernetes', '1.34.1'],
      ['validation', undefined],
    ]);
    expect(plan.phases.flatMap((p) => p.steps.map((s) => [s.id, s.params])).slice(0, 4)).toEqual([
      ['cluster/k8s-upgrade/1', { to: '1.33.0', dryRun: true }],
      ['cluster/k8s-upgrade/2', { to: '1.33.0', dryRun: false }],
      ['cluster/k8s-upgrade/3', { to: '1.34.1', dryRun: true }],
      ['cluster/k8s-upgrade/4', { to: '1.34.1', dryRun: false }],
    ]);
    expect(plan.phases[2]!.steps[0]!.params).toMatchObject({
      talos: '1.11.0',
      kubernetes: '1.34.1',
    });
    expect(new Set(allSteps(plan).map((s) => s.id)).size).toBe(allSteps(plan).length);
  });

  it('plans nothing but validation when already at the target', () => {
    const plan = buildKubernetesPlan(input('1.34.1', '1.34.1'));
    expect(plan.phases[0]!.steps).toEqual([]);
    expect(plan.phases[1]!.steps).toHaveLength(1);
  });

  it('refuses a downgrade', () => {
    expect(() => buildKubernetesPlan(input('1.34.1', '1.33.0'))).toThrow(
      expect.objectContaining({ category: 'refused', code: 'K8S_DOWNGRADE' }),
    );
  });

  it('needs the Kubernetes versions', () => {
    const { kubernetes: _omitted, ...rest } = input('1.33.0', '1.34.0');
    expect(() => buildKubernetesPlan(rest)).toThrow(
      expect.objectContaining({ code: 'K8S_VERSIONS_MISSING' }),
    );
  });
});
