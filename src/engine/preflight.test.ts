import { describe, expect, it } from 'vitest';
import { DroverError } from '../core/errors.js';
import type { InventoryNode } from '../core/inventory.js';
import { buildPlan } from '../core/plan-build.js';
import type { UpgradeKind } from '../core/plan.js';
import { DEFAULT_POLICY } from '../core/policy.js';
import type { KubernetesPort, NodeView } from '../ports/kubernetes.js';
import type { SecretsPort } from '../ports/secrets.js';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { preflight } from './preflight.js';

const inventory = referenceInventory();

function view(name: string, overrides: Partial<NodeView> = {}): NodeView {
  return {
    name,
    ready: 'True',
    unschedulable: false,
    osImage: 'Talos (v1.10.8)',
    talosVersion: '1.10.8',
    kubeletVersion: 'v1.33.5',
    labels: {},
    allocatable: {},
    resourceVersion: '1',
    ...overrides,
  };
}

/** Only listNodes answers: any other call (a cordon, a lease) fails the test. */
function readOnlyKubernetes(nodes: NodeView[] | Error): KubernetesPort & { calls: string[] } {
  const calls: string[] = [];
  return new Proxy({ calls } as KubernetesPort & { calls: string[] }, {
    get(target, prop) {
      if (prop === 'calls') return calls;
      if (prop === 'listNodes')
        return async () => {
          calls.push('listNodes');
          if (nodes instanceof Error) throw nodes;
          return nodes;
        };
      if (prop === 'then') return undefined;
      return () => {
        throw new Error(`preflight called ${String(prop)}`);
      };
    },
  });
}

function plan(kind: UpgradeKind) {
  return buildPlan(kind, {
    inventory,
    policy: DEFAULT_POLICY,
    from: '1.10.8',
    to: kind === 'kubernetes' ? '1.10.8' : '1.11.0',
    kubernetes: { from: '1.33.5', to: kind === 'kubernetes' ? '1.34.1' : '1.33.5' },
  });
}

const all = () => inventory.nodes.map((n) => view(n.name));

async function mismatch(nodes: NodeView[]): Promise<DroverError> {
  const error = await preflight({
    plan: plan('cattle'),
    inventory,
    kubernetes: readOnlyKubernetes(nodes),
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DroverError);
  return error as DroverError;
}

describe('preflight', () => {
  it('reports every node with its versions and only reads the node list', async () => {
    const kubernetes = readOnlyKubernetes(all());
    const result = await preflight({ plan: plan('cattle'), inventory, kubernetes });
    expect(result.nodes).toHaveLength(15);
    expect(result.nodes.every((n) => !n.atTarget && !n.wouldSkip)).toBe(true);
    expect(result.target).toEqual({ talos: '1.11.0', kubernetes: '1.33.5' });
    expect(result.nodes[0]).toMatchObject({ talosVersion: '1.10.8', kubeletVersion: 'v1.33.5' });
    expect(Object.keys(result.annotations)).toEqual([]);
    expect(kubernetes.calls).toEqual(['listNodes']);
  });

  it.each([
    [
      'missing',
      (nodes: NodeView[]) => nodes.filter((n) => n.name !== 'k8s-work-7'),
      'k8s-work-7',
      'missing',
    ],
    ['unknown', (nodes: NodeView[]) => [...nodes, view('k8s-work-13')], 'k8s-work-13', 'unknown'],
  ] as const)('refuses an inventory with a %s node (exit 2)', async (_case, edit, name, field) => {
    const error = await mismatch(edit(all()));
    expect(error.code).toBe('INVENTORY_MISMATCH');
    expect(error.category).toBe('input');
    expect(error.message).toContain(name);
    expect(error.details?.[field]).toEqual([name]);
  });

  it('a failed node list is unknown, never an empty cluster', async () => {
    const failure = (await preflight({
      plan: plan('cattle'),
      inventory,
      kubernetes: readOnlyKubernetes(new Error('connect ECONNREFUSED')),
    }).catch((e: unknown) => e)) as DroverError;
    expect(failure.code).toBe('CLUSTER_UNREACHABLE');
    expect(failure.category).toBe('failed');
  });

  it('marks a node at the target, Ready and schedulable as skipped, like the engine', async () => {
    const nodes = all().map((n) =>
      n.name === 'k8s-work-2' || n.name === 'k8s-work-3'
        ? view(n.name, {
            talosVersion: '1.11.0',
            unschedulable: n.name === 'k8s-work-3',
          })
        : n,
    );
    const result = await preflight({
      plan: plan('cattle'),
      inventory,
      kubernetes: readOnlyKubernetes(nodes),
    });
    const byName = Object.fromEntries(result.nodes.map((n) => [n.name, n]));
    expect(byName['k8s-work-2']).toMatchObject({ atTarget: true, wouldSkip: true });
    // Cordoned at the target: the engine runs its cycle to uncordon it properly.
    expect(byName['k8s-work-3']).toMatchObject({ atTarget: true, wouldSkip: false });
    expect(result.annotations['k8s-work-2/cordon']).toBe(
      'would skip: k8s-work-2 already runs Talos 1.11.0',
    );
    expect(result.annotations['k8s-work-3/cordon']).toBeUndefined();
    expect(result.notes).toContain('k8s-work-3 is cordoned already');
  });

  it('never skips nodes of a kubernetes upgrade; at target means the kubelet', async () => {
    const nodes = all().map((n) =>
      n.name === 'k8s-ctrl-1' ? view(n.name, { kubeletVersion: 'v1.34.1' }) : n,
    );
    const result = await preflight({
      plan: plan('kubernetes'),
      inventory,
      kubernetes: readOnlyKubernetes(nodes),
    });
    expect(result.target).toEqual({ talos: '1.10.8', kubernetes: '1.34.1' });
    expect(result.nodes.find((n) => n.name === 'k8s-ctrl-1')?.atTarget).toBe(true);
    expect(result.nodes.some((n) => n.wouldSkip)).toBe(false);
  });

  it('reads each machine config source the plan applies once, and stops on a broken one', async () => {
    const read: string[] = [];
    const secrets: SecretsPort = {
      machineConfig: async (node: InventoryNode) => {
        read.push(node.machineConfig);
        return 'machine: {}';
      },
    };
    const result = await preflight({
      plan: plan('cattle'),
      inventory,
      kubernetes: readOnlyKubernetes(all()),
      secrets,
    });
    expect(new Set(read).size).toBe(read.length);
    expect(read.length).toBeGreaterThan(0);
    expect(result.notes.filter((n) => n.startsWith('machine config'))).toHaveLength(read.length);

    const broken: SecretsPort = {
      machineConfig: async () => {
        throw new DroverError('input', 'SECRET_MISSING', 'TALOS_WORKER_CONFIG_B64 is not set');
      },
    };
    await expect(
      preflight({
        plan: plan('cattle'),
        inventory,
        kubernetes: readOnlyKubernetes(all()),
        secrets: broken,
      }),
    ).rejects.toThrow('TALOS_WORKER_CONFIG_B64');

    // Pets apply no machine config: nothing is read.
    read.length = 0;
    await preflight({
      plan: plan('pets'),
      inventory,
      kubernetes: readOnlyKubernetes(all()),
      secrets,
    });
    expect(read).toEqual([]);
  });
});
