import { describe, expect, it } from 'vitest';
import { buildPlan } from '../core/plan-build.js';
import { DEFAULT_POLICY } from '../core/policy.js';
import type { CephPoolSpecReading } from '../core/pool-tolerance.js';
import type { NodeReadPort, NodeView, StorageHealthPort } from '../ports/kubernetes.js';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { preflight } from './preflight.js';

const inventory = referenceInventory();
const policy = (domains: number) => ({
  ...DEFAULT_POLICY,
  disruption: {
    ...DEFAULT_POLICY.disruption,
    maxUnavailableWorkers: 6,
    maxUnavailableDomains: domains,
  },
});
const plan = (domains: number) =>
  buildPlan('cattle', {
    inventory,
    policy: policy(domains),
    from: '1.10.8',
    to: '1.11.0',
    kubernetes: { from: '1.33.5', to: '1.33.5' },
  });

const nodes: NodeReadPort = {
  listNodes: async () =>
    inventory.nodes.map((n): NodeView => ({
      name: n.name,
      ready: 'True',
      unschedulable: false,
      osImage: 'Talos (v1.10.8)',
      talosVersion: '1.10.8',
      kubeletVersion: 'v1.33.5',
      labels: {},
      allocatable: {},
      resourceVersion: '1',
    })),
  getNode: async () => undefined,
  waitForNode: async () => undefined,
  listPodsOnNode: async () => [],
};

const storage = (pools: CephPoolSpecReading[] | Error): StorageHealthPort => ({
  cephHealth: async () => 'HEALTH_OK',
  cephStatus: async () => undefined,
  cephPools: async () => {
    if (pools instanceof Error) throw pools;
    return pools;
  },
});

const replicapool = (size: number): CephPoolSpecReading => ({
  source: 'CephBlockPool rook-ceph/replicapool',
  replicated: { size },
  phase: 'Ready',
});

describe('preflight (dry run) reads the Ceph pools as the run would', () => {
  it('a policy above what the pools tolerate is a note', async () => {
    const result = await preflight({
      plan: plan(2),
      inventory,
      kubernetes: nodes,
      storageHealth: storage([replicapool(3)]),
    });
    expect(result.notes).toContainEqual(
      expect.stringMatching(/^policy allows 2 storage domains; pools tolerate 1: capped at 1/),
    );
  });

  it('pools that tolerate nothing refuse the run (exit 3), as the run itself would', async () => {
    await expect(
      preflight({
        plan: plan(1),
        inventory,
        kubernetes: nodes,
        storageHealth: storage([replicapool(1)]),
      }),
    ).rejects.toMatchObject({ code: 'STORAGE_POOLS_NO_TOLERANCE', category: 'refused' });
  });

  it('pools unreadable: a note that the run would wait and stop, never "no cap"', async () => {
    const result = await preflight({
      plan: plan(1),
      inventory,
      kubernetes: nodes,
      storageHealth: storage(new Error('cephblockpools.ceph.rook.io is forbidden')),
    });
    expect(result.notes).toContainEqual(
      expect.stringContaining(
        'Ceph pools unreadable (unknown): cephblockpools.ceph.rook.io is forbidden',
      ),
    );
  });
});
