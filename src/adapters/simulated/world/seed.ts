/**
 * The world at rest before an upgrade: every node Ready and schedulable, Ceph HEALTH_OK,
 * workloads (seed-workloads.ts) scheduled and Ready, PDBs computed, the leftovers of a cluster
 * that has lived (lived-in.ts). The world's JSON state at rest is initial-state.ts's.
 */
import { GPU_LABEL } from '../../../core/gates.js';
import type { KubeStore } from '../kube/store.js';
import { cephPoolObjects } from './ceph-pools.js';
import { newNodeObject } from './nodes.js';
import { R, cephClusterObject, helmReleaseObject, namespaceObject } from './objects.js';
import type { World } from './world.js';
import { reconcileWorkloads } from './workloads.js';
import { leftoverNamespaces, seedLeftovers } from './lived-in.js';
import { seedWorkloads } from './seed-workloads.js';

const POOL_RESOURCE = {
  CephBlockPool: R.cephblockpools,
  CephFilesystem: R.cephfilesystems,
  CephObjectStore: R.cephobjectstores,
} as const;

/** Fills the store; pods are then scheduled and started as at rest (not through timers). */
export function seedStore(world: World): void {
  const { scenario } = world.context;
  const store: KubeStore = world.store;
  seedNamespaces(world);
  seedNodes(world);
  seedWorkloads(world);
  if (scenario.storage.ceph) {
    store.create(R.cephclusters, cephClusterObject());
    for (const { kind, object } of cephPoolObjects(scenario.storage.toleratedDomainsDown))
      store.create(POOL_RESOURCE[kind], object);
  }
  for (const h of scenario.workloads.helmReleases)
    store.create(R.helmreleases, helmReleaseObject(h.namespace, h.name, h.ready));
  startAtRest(world);
  world.asWorld(() => seedLeftovers(world));
}

function seedNamespaces(world: World): void {
  const namespaces = new Set([
    'default',
    'kube-system',
    'kube-node-lease',
    'rook-ceph',
    'flux-system',
    'drover-system',
  ]);
  const w = world.context.scenario.workloads;
  for (const x of [...w.deployments, ...w.statefulsets, ...w.daemonsets, ...w.helmReleases])
    namespaces.add(x.namespace);
  for (const ns of leftoverNamespaces(w.leftovers)) namespaces.add(ns);
  for (const ns of [...namespaces].sort()) world.store.create(R.namespaces, namespaceObject(ns));
}

/** Every node Ready at the version the cluster runs; GPU nodes labelled, with a GPU each. */
function seedNodes(world: World): void {
  const { inventory } = world.context;
  const store = world.store;
  for (const node of inventory.nodes)
    store.create(
      R.nodes,
      newNodeObject(world, node, world.context.talos.from, world.context.kubernetes.from),
    );
  for (const node of inventory.nodes) {
    if (!node.gpu) continue;
    store.mutate(R.nodes, undefined, node.name, (n) => {
      n.metadata.labels = { ...(n.metadata.labels ?? {}), [GPU_LABEL]: 'true' };
      const st = (n.status ??= {});
      st.allocatable = { ...(st.allocatable as object), 'nvidia.com/gpu': '1' };
      st.capacity = { ...(st.capacity as object), 'nvidia.com/gpu': '1' };
    });
  }
}

/** Schedules every workload's pods, then marks them running as they would be at rest. */
function startAtRest(world: World): void {
  const store = world.store;
  world.asWorld(() => {
    reconcileWorkloads(world);
    for (const pod of store.list(R.pods)) {
      if (!pod.spec?.nodeName) continue;
      store.mutate(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
        const at = p.metadata.creationTimestamp;
        p.status = {
          phase: 'Running',
          startTime: at,
          conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
            type,
            status: 'True',
            lastTransitionTime: at,
          })),
        };
      });
    }
  });
  world.state.podTimers = {};
  world.state.pending = world.state.pending.filter((e) => e.type !== 'pod-running');
}
