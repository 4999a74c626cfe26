import { describe, expect, it } from 'vitest';
import { GPU_WORKERS, referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { DroverError } from './errors.js';
import type { Inventory } from './inventory.js';
import { allSteps } from './plan.js';
import type { Plan, StepAction } from './plan.js';
import { findStep } from './plan-step.js';
import type { StepIdOf } from './plan-step.js';
import { buildCattlePlan } from './plan-cattle.js';
import type { PlanInput } from './plan-build.js';
import { DEFAULT_POLICY } from './policy.js';

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    inventory: referenceInventory(),
    policy: DEFAULT_POLICY,
    from: '1.10.8',
    to: '1.11.0',
    ...overrides,
  };
}

const actions = (plan: Plan, node: string): StepAction[] =>
  plan.phases
    .flatMap((p) => p.units)
    .find((u) => u.node === node)!
    .steps.map((s) => s.action);
const step = <A extends StepAction>(plan: Plan, id: StepIdOf<A>) => findStep(allSteps(plan), id);

const CONTROL_PLANE: StepAction[] = [
  // The lead-in (core/lead-in.ts): while the node before boots.
  'backup-state',
  'gate-etcd',
  'cordon',
  'drain',
  'check-replace-plan',
  'etcd-leave',
  'replace-vm',
  'wait-maintenance',
  'apply-config',
  'wait-ready',
  'verify-version',
  'wait-etcd-rejoin',
  'uncordon',
];
const WORKER: StepAction[] = [
  'gate-health',
  'storage-noout-set',
  'cordon',
  'drain',
  'backup-state',
  'replace-vm',
  'wait-maintenance',
  'apply-config',
  'wait-ready',
  'verify-version',
  'storage-noout-unset',
  'uncordon',
  'post-checks',
];
const GPU_WORKER: StepAction[] = [...WORKER.slice(0, 10), 'wait-gpu', ...WORKER.slice(10)];

describe('buildCattlePlan on the reference cluster', () => {
  const plan = buildCattlePlan(input({ kubernetes: { from: '1.34.1', to: '1.34.1' } }));

  it('has the four phases in order with their concurrency', () => {
    expect(plan.phases.map((p) => [p.id, p.concurrency, p.units.length])).toEqual([
      ['templates', 'one-at-a-time', 0],
      ['control-plane', 'one-at-a-time', 3],
      ['workers', 'disruption-policy', 12],
      ['validation', 'one-at-a-time', 0],
    ]);
    expect([plan.kind, plan.cluster, plan.from, plan.to, plan.hops]).toEqual([
      'cattle',
      'reference',
      '1.10.8',
      '1.11.0',
      ['1.11.0'],
    ]);
  });

  it('rebuilds each template in use once, then verifies them', () => {
    const templates = plan.phases[0]!.steps;
    expect(templates.map((s) => s.id)).toEqual([
      'template/module.template_baldar_base',
      'template/module.template_heimdall_base',
      'template/module.template_odin_base',
      'template/module.template_heimdall_gpu',
      'template/module.template_thor_gpu',
      'template/module.template_thor_base',
      'cluster/verify-templates',
    ]);
    expect(templates[3]!.params).toEqual({
      address: 'module.template_heimdall_gpu',
      flavor: 'gpu',
      host: 'heimdall',
      version: '1.11.0',
    });
    expect(findStep(templates, 'cluster/verify-templates')?.params.addresses).toHaveLength(6);
  });

  it.each([
    ['k8s-ctrl-1', CONTROL_PLANE],
    ['k8s-ctrl-3', CONTROL_PLANE],
    ['k8s-work-1', WORKER],
    ['k8s-work-4', GPU_WORKER],
    ['k8s-work-10', GPU_WORKER],
    ['k8s-work-12', WORKER],
  ])('%s has its cycle', (node, expected) => {
    expect(actions(plan, node)).toEqual(expected);
  });

  it('orders the units as the inventory does', () => {
    expect(plan.phases[1]!.units.map((u) => u.node)).toEqual([
      'k8s-ctrl-1',
      'k8s-ctrl-2',
      'k8s-ctrl-3',
    ]);
    expect(plan.phases[2]!.units.map((u) => u.node)).toEqual(
      Array.from({ length: 12 }, (_, i) => `k8s-work-${i + 1}`),
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['k8s-ctrl-2/gate-etcd', { excluding: 'k8s-ctrl-2' }],
    ['k8s-ctrl-2/replace-vm', { addresses: ['module.control_plane_nodes["k8s-ctrl-2"]'] }],
    ['k8s-ctrl-2/wait-maintenance', { address: '10.20.66.102' }],
    [
      'k8s-ctrl-2/apply-config',
      {
        address: '10.20.66.102',
        patches: ['global-kubelet', 'global-network', 'global-time', 'role-controlplane'],
      },
    ],
    ['k8s-ctrl-2/verify-version', { talos: '1.11.0', kubelet: '1.34.1' }],
    ['k8s-ctrl-2/wait-etcd-rejoin', { expectedMembers: 3 }],
    ['cluster/gate-api-stable', { passes: 3 }],
    ['k8s-work-4/gate-health', { checks: ['coredns', 'ceph'] }],
    ['k8s-work-4/storage-noout-set', { domain: 'heimdall' }],
    ['k8s-work-4/storage-noout-unset', { domain: 'heimdall' }],
    ['k8s-work-4/replace-vm', { addresses: ['module.worker_nodes["k8s-work-4"]'] }],
    [
      'k8s-work-4/apply-config',
      {
        address: '10.20.66.114',
        patches: ['global-kubelet', 'global-network', 'global-time', 'role-worker', 'nvidia-gpu'],
      },
    ],
    ['k8s-work-4/wait-gpu', {}],
    ['k8s-work-4/post-checks', { checks: ['deployments', 'ceph'] }],
    ['k8s-work-11/drain', {}],
  ])('%s has params %j', (id, params) => {
    expect(allSteps(plan).find((s) => s.id === id)?.params).toEqual(params);
  });

  it('validates every expected node at the target versions', () => {
    const validation = plan.phases[3]!.steps;
    expect(validation.map((s) => s.id)).toEqual(['cluster/validate-cluster']);
    const validate = findStep(validation, 'cluster/validate-cluster')!;
    expect(validate.params.talos).toBe('1.11.0');
    expect(validate.params.kubernetes).toBe('1.34.1');
    expect(validate.params.expectedNodes).toHaveLength(15);
  });

  it('has unique step ids, and node steps carry their node', () => {
    const steps = allSteps(plan);
    expect(new Set(steps.map((s) => s.id)).size).toBe(steps.length);
    for (const s of steps) {
      if (s.node !== undefined) expect(s.id).toBe(`${s.node}/${s.action}`);
      else expect(s.id).toMatch(/^(cluster|template)\//);
    }
  });

  it('is stable: the same input builds the same plan', () => {
    expect(buildCattlePlan(input({ kubernetes: { from: '1.34.1', to: '1.34.1' } }))).toEqual(plan);
  });

  it('only GPU nodes wait for GPUs', () => {
    const waiting = allSteps(plan)
      .filter((s) => s.action === 'wait-gpu')
      .map((s) => s.node);
    expect(waiting).toEqual([...GPU_WORKERS]);
  });
});

describe('buildCattlePlan variations', () => {
  it.each<[string, Partial<PlanInput>, (plan: Plan) => unknown, unknown]>([
    [
      'no kubelet check without Kubernetes versions',
      {},
      (p) => step(p, 'k8s-work-1/verify-version')?.params,
      { talos: '1.11.0' },
    ],
    [
      'a leading v is dropped',
      { from: 'v1.10.8', to: 'v1.11.0' },
      (p) => [p.from, p.to],
      ['1.10.8', '1.11.0'],
    ],
    [
      'no noout when the policy turns it off',
      { policy: { ...DEFAULT_POLICY, cephNoout: false } },
      (p) => allSteps(p).filter((s) => s.action.startsWith('storage-noout')).length,
      0,
    ],
    [
      'the API gate takes its passes from the policy',
      {
        policy: {
          ...DEFAULT_POLICY,
          timeouts: { ...DEFAULT_POLICY.timeouts, apiServerStablePasses: 5 },
        },
      },
      (p) => step(p, 'cluster/gate-api-stable')?.params,
      { passes: 5 },
    ],
    [
      'custom gates come after CoreDNS and Ceph',
      { customChecks: ['flux-ready', 'custom:gpu-quota'] },
      (p) => step(p, 'k8s-work-2/gate-health')?.params.checks,
      ['coredns', 'ceph', 'custom:flux-ready', 'custom:gpu-quota'],
    ],
  ])('%s', (_name, overrides, pick, expected) => {
    expect(pick(buildCattlePlan(input(overrides)))).toEqual(expected);
  });

  it('uses the storage failure domain for noout', () => {
    const inventory = referenceInventory();
    inventory.nodes[3] = {
      ...inventory.nodes[3]!,
      storage: { osd: true, failureDomain: 'rack-1' },
    };
    const plan = buildCattlePlan(input({ inventory }));
    expect(step(plan, 'k8s-work-1/storage-noout-set')?.params).toEqual({ domain: 'rack-1' });
  });

  it('has no Ceph gates or noout steps in a cluster without OSDs', () => {
    const inventory = referenceInventory();
    inventory.nodes = inventory.nodes.map((n) => ({ ...n, storage: undefined }));
    const plan = buildCattlePlan(input({ inventory }));
    expect(step(plan, 'k8s-work-1/gate-health')?.params.checks).toEqual(['coredns']);
    expect(step(plan, 'k8s-work-1/post-checks')?.params.checks).toEqual(['deployments']);
    expect(actions(plan, 'k8s-work-1')).not.toContain('storage-noout-set');
  });

  it.each<[string, (inv: Inventory) => void, string]>([
    ['unknown template', (inv) => (inv.nodes[0]!.template = 'nope'), 'INVENTORY_INVALID'],
    ['unknown patch', (inv) => inv.nodes[5]!.patches.push('typo'), 'INVENTORY_INVALID'],
    ['duplicate node', (inv) => inv.nodes.push({ ...inv.nodes[4]! }), 'INVENTORY_INVALID'],
    ['no VM addresses', (inv) => (inv.nodes[6]!.terraformAddresses = []), 'INVENTORY_INVALID'],
    ['no nodes', (inv) => (inv.nodes = []), 'INVENTORY_INVALID'],
  ])('refuses an inventory with %s', (_name, breakIt, code) => {
    const inventory = referenceInventory();
    breakIt(inventory);
    expect(() => buildCattlePlan(input({ inventory }))).toThrow(
      expect.objectContaining({ category: 'input', code }),
    );
  });

  it.each<[string, Partial<PlanInput>, string]>([
    ['a bad target', { to: 'latest' }, 'VERSION_INVALID'],
    ['hops that do not end at the target', { hops: ['1.10.8', '1.11.1'] }, 'HOPS_INVALID'],
    // Never silently straight to the target: core/refusals.ts cattleHopsRefusal says why.
    [
      'intermediate hops (a cattle run cannot build their templates)',
      { from: '1.8.3', hops: ['1.10.8', '1.11.0'] },
      'CATTLE_MULTI_HOP',
    ],
  ])('refuses %s', (_name, overrides, code) => {
    expect(() => buildCattlePlan(input(overrides))).toThrow(DroverError);
    expect(() => buildCattlePlan(input(overrides))).toThrow(expect.objectContaining({ code }));
  });
});
