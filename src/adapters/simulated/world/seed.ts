/**
 * The world at rest before an upgrade: every node running its template's version, Ready and
 * schedulable, etcd healthy, Ceph HEALTH_OK, workloads scheduled and Ready, PDBs computed.
 */
import { createHash } from 'node:crypto';
import { GPU_LABEL } from '../../../core/gates.js';
import type { KubeStore } from '../kube/store.js';
import type { Scenario } from '../scenario/schema.js';
import { cephPoolObjects } from './ceph-pools.js';
import { generateSecrets } from './machine-config.js';
import { uuidFrom } from './machines.js';
import { newNodeObject } from './nodes.js';
import {
  R,
  cephClusterObject,
  helmReleaseObject,
  namespaceObject,
  pdbObject,
  replicaSetObject,
  workloadObject,
  type Placement,
} from './objects.js';
import { SeededRandom } from './rng.js';
import type { WorldState } from './state.js';
import type { World, WorldContext } from './world.js';
import { reconcileWorkloads } from './workloads.js';
import { leftoverNamespaces, seedLeftovers } from './lived-in.js';

const POOL_RESOURCE = {
  CephBlockPool: R.cephblockpools,
  CephFilesystem: R.cephfilesystems,
  CephObjectStore: R.cephobjectstores,
} as const;

export function scenarioHash(scenario: Scenario): string {
  return createHash('sha256').update(JSON.stringify(scenario)).digest('hex').slice(0, 16);
}

export function initialState(context: WorldContext, seed: number, startMs: number): WorldState {
  const rng = SeededRandom.fromSeed(seed);
  const { scenario, inventory } = context;
  const templates: WorldState['templates'] = {};
  let templateId = 9000;
  for (const [key, t] of Object.entries(inventory.templates))
    templates[key] = {
      key,
      address: t.address,
      host: t.host,
      flavor: t.flavor,
      schematic: t.schematic,
      version: context.talos.from,
      id: String(templateId++),
    };
  const vms: WorldState['vms'] = {};
  let nextVmId = 100;
  for (const node of inventory.nodes)
    vms[node.name] = {
      id: String(nextVmId++),
      uuid: uuidFrom(`${seed}/system/${node.name}`),
      bootId: uuidFrom(`${seed}/boot/${node.name}`),
      ...(templates[node.template] ? { cloneOf: templates[node.template]!.id } : {}),
      node: node.name,
      templateKey: node.template,
      version: context.talos.from,
      schematic: node.schematic,
      phase: 'running',
      gpuDriver: node.gpu,
      createdAt: startMs - 30 * 86_400_000,
    };
  const etcd = inventory.nodes
    .filter((n) => n.role === 'controlplane')
    .map((n) => ({ id: rng.hex(16), node: n.name, vmId: vms[n.name]?.uuid ?? '', healthy: true }));
  const tokens = generateSecrets(rng);
  return {
    format: 1,
    scenario: scenario.name,
    scenarioHash: scenarioHash(scenario),
    seed,
    rng: rng.state,
    now: startMs,
    eventSeq: 0,
    nextVmId,
    vms,
    lingering: {},
    templates,
    terraform: {
      serial: 42,
      lineage: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
      lock: null,
      initialised: context.scenario.terraform.initialised,
      plans: {},
      nextPlan: 1,
    },
    s3: {},
    verifiedBackupSerial: null,
    etcd,
    noout: [],
    kubernetesVersion: context.kubernetes.from,
    vmReplacements: Object.fromEntries(inventory.nodes.map((n) => [n.name, 0])),
    faultUses: scenario.faults.map(() => 0),
    faultActive: scenario.faults.map(() => false),
    faultTriggered: scenario.faults.map(() => false),
    pending: [],
    podTimers: {},
    violations: [],
    secrets: { tokens, served: [] },
    cordonedAt: {},
    ceph: { downSince: {}, recoveringUntil: 0, outMarked: [] },
  };
}

/** Fills the store; pods are then scheduled and started as at rest (not through timers). */
export function seedStore(world: World): void {
  const { scenario, inventory } = world.context;
  const store: KubeStore = world.store;
  const namespaces = new Set([
    'default',
    'kube-system',
    'kube-node-lease',
    'rook-ceph',
    'flux-system',
    'drover-system',
  ]);
  const w = scenario.workloads;
  for (const x of [...w.deployments, ...w.statefulsets, ...w.daemonsets, ...w.helmReleases])
    namespaces.add(x.namespace);
  for (const ns of leftoverNamespaces(w.leftovers)) namespaces.add(ns);
  for (const ns of [...namespaces].sort()) store.create(R.namespaces, namespaceObject(ns));
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
  const grace = Math.max(1, Math.round(world.seconds('pod-termination') / 2));
  const deployments: {
    namespace: string;
    name: string;
    replicas: number;
    placement: Placement;
    spread: boolean;
    emptyDir: boolean;
    grace: number;
    pdb?: object;
    requests?: { cpu: string; memory: string } | undefined;
  }[] = [];
  if (w.coredns.replicas > 0)
    deployments.push({
      namespace: 'kube-system',
      name: 'coredns',
      replicas: w.coredns.replicas,
      placement: 'all',
      spread: true,
      emptyDir: false,
      grace: 30,
    });
  for (const d of w.deployments)
    deployments.push({
      namespace: d.namespace,
      name: d.name,
      replicas: d.replicas,
      placement: d.on,
      spread: d.spreadAcrossNodes,
      emptyDir: d.emptyDir,
      grace: d.terminationGracePeriodSeconds ?? grace,
      requests: d.requests,
      ...(d.pdb ? { pdb: d.pdb } : {}),
    });
  for (const d of deployments) {
    const dep = store.create(R.deployments, workloadObject('Deployment', d));
    store.create(
      R.replicasets,
      replicaSetObject(
        dep,
        world.rng.hex(10).replace(/[0-9]/g, (c) => 'bcdfghjklm'[Number(c)] ?? 'x'),
      ),
    );
    if (d.pdb)
      store.create(R.pdbs, pdbObject(d.namespace, d.name, d.pdb as { minAvailable: number }));
  }
  for (const s of w.statefulsets) {
    store.create(
      R.statefulsets,
      workloadObject('StatefulSet', {
        namespace: s.namespace,
        name: s.name,
        replicas: s.replicas,
        placement: s.on,
        spread: s.spreadAcrossNodes,
        emptyDir: s.emptyDir,
        grace: s.terminationGracePeriodSeconds ?? grace,
        requests: s.requests,
      }),
    );
    if (s.pdb) store.create(R.pdbs, pdbObject(s.namespace, s.name, s.pdb));
  }
  for (const d of w.daemonsets)
    store.create(
      R.daemonsets,
      workloadObject('DaemonSet', {
        namespace: d.namespace,
        name: d.name,
        placement: d.on,
        spread: false,
        emptyDir: false,
        grace: 10,
      }),
    );
  if (scenario.storage.ceph) {
    store.create(R.cephclusters, cephClusterObject());
    for (const { kind, object } of cephPoolObjects(scenario.storage.toleratedDomainsDown))
      store.create(POOL_RESOURCE[kind], object);
  }
  for (const h of w.helmReleases)
    store.create(R.helmreleases, helmReleaseObject(h.namespace, h.name, h.ready));
  // Schedule everything, then mark it running as it would be at rest.
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
  world.asWorld(() => seedLeftovers(world));
}
