/**
 * The reads health gates make: workload availability (and on which nodes it is ready), Ceph and
 * HelmRelease health, pods that are not running, any object by API version, API server readiness.
 */
import type {
  CephClusterStatus,
  HelmReleaseStatus,
  WorkloadAvailability,
  WorkloadKind,
  PodView,
  StorageHealth,
  WorkloadStatus,
} from '../../../../ports/kubernetes.js';
import type { CephPoolSpecReading } from '../../../../core/pool-tolerance.js';
import {
  rookPoolReadings,
  type LooseRookObject,
  type RookPoolKind,
} from '../../../../core/rook-pools.js';
import { podPhase, podReady } from '../../kube/pods.js';
import type { KubeObject } from '../../kube/store.js';
import { refreshCephStatus } from '../../world/ceph.js';
import { R } from '../../world/objects.js';
import type { World } from '../../world/world.js';
import { toPodView } from '../kube-views.js';

export async function deploymentStatus(
  world: World,
  namespace: string,
  name: string,
): Promise<WorkloadStatus | undefined> {
  const d = world.store.getView(R.deployments, namespace, name);
  if (!d) return undefined;
  const rsUids = world.store
    .listView(R.replicasets, namespace)
    .filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid))
    .map((rs) => rs.metadata.uid);
  const status = (d.status ?? {}) as { availableReplicas?: number; observedGeneration?: number };
  return {
    namespace,
    name,
    desired: Number(d.spec?.replicas ?? 0),
    available: status.availableReplicas ?? 0,
    generation: d.metadata.generation,
    observedGeneration: status.observedGeneration,
    readyNodes: readyNodes(world, namespace, rsUids),
  };
}

export async function daemonSetStatus(
  world: World,
  namespace: string,
  name: string,
): Promise<WorkloadStatus | undefined> {
  const ds = world.store.getView(R.daemonsets, namespace, name);
  if (!ds) return undefined;
  const status = (ds.status ?? {}) as {
    desiredNumberScheduled?: number;
    numberAvailable?: number;
    observedGeneration?: number;
  };
  return {
    namespace,
    name,
    desired: status.desiredNumberScheduled ?? 0,
    available: status.numberAvailable ?? 0,
    generation: ds.metadata.generation,
    observedGeneration: status.observedGeneration,
    readyNodes: readyNodes(world, namespace, [ds.metadata.uid]),
  };
}

function readyNodes(world: World, namespace: string, ownerUids: string[]): string[] {
  const nodes = world.store
    .listView(R.pods, namespace)
    .filter((p) => p.metadata.ownerReferences?.some((r) => ownerUids.includes(r.uid)))
    .filter(
      (p) => podReady(p) && !p.metadata.deletionTimestamp && typeof p.spec?.nodeName === 'string',
    )
    .map((p) => String(p.spec?.nodeName));
  return [...new Set(nodes)].sort();
}

export async function cephHealth(world: World): Promise<StorageHealth | undefined> {
  return (await cephStatus(world))?.health;
}

export async function cephStatus(world: World): Promise<CephClusterStatus | undefined> {
  refreshCephStatus(world);
  const ceph = world.store.listView(R.cephclusters)[0]?.status?.ceph as
    | {
        health?: string;
        details?: Record<string, { severity?: string; message?: string }>;
        lastChecked?: string;
      }
    | undefined;
  if (ceph === undefined) return undefined;
  const h = ceph.health;
  const checks: CephClusterStatus['checks'] = {};
  for (const [name, d] of Object.entries(ceph.details ?? {}))
    checks[name] = { severity: d.severity ?? '', message: d.message ?? '' };
  const at = typeof ceph.lastChecked === 'string' ? Date.parse(ceph.lastChecked) : Number.NaN;
  return {
    health: h === 'HEALTH_OK' || h === 'HEALTH_WARN' || h === 'HEALTH_ERR' ? h : undefined,
    checks,
    lastChecked: Number.isNaN(at) ? undefined : at,
  };
}

/** The pools Rook declares, as the real adapter maps them (core/rook-pools.ts). */
export async function cephPools(world: World): Promise<CephPoolSpecReading[]> {
  const kinds: [RookPoolKind, string][] = [
    ['CephBlockPool', R.cephblockpools],
    ['CephFilesystem', R.cephfilesystems],
    ['CephObjectStore', R.cephobjectstores],
  ];
  return kinds.flatMap(([kind, key]) =>
    world.store.listView(key).flatMap((o) => rookPoolReadings(kind, o as LooseRookObject)),
  );
}

/** Deployments, StatefulSets and DaemonSets by the status their controllers wrote. */
export async function workloadAvailability(world: World): Promise<WorkloadAvailability[]> {
  const out: WorkloadAvailability[] = [];
  const kinds: [WorkloadKind, string][] = [
    ['Deployment', R.deployments],
    ['StatefulSet', R.statefulsets],
    ['DaemonSet', R.daemonsets],
  ];
  for (const [kind, resource] of kinds)
    for (const w of world.store.listView(resource)) {
      const status = (w.status ?? {}) as Record<string, number | undefined>;
      const daemon = kind === 'DaemonSet';
      const namespace = w.metadata.namespace ?? '';
      const desired = daemon ? (status.desiredNumberScheduled ?? 0) : Number(w.spec?.replicas ?? 1);
      const available = (daemon ? status.numberAvailable : status.availableReplicas) ?? 0;
      out.push({
        kind,
        namespace,
        name: w.metadata.name,
        desired,
        available,
        generation: w.metadata.generation,
        observedGeneration: status.observedGeneration,
        unreadyPodNodes: available < desired ? unreadyPodNodes(world, w) : [],
      });
    }
  return out;
}

function unreadyPodNodes(world: World, owner: KubeObject): (string | undefined)[] {
  const owners = new Set([owner.metadata.uid]);
  for (const rs of world.store.listView(R.replicasets, owner.metadata.namespace))
    if (rs.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid))
      owners.add(rs.metadata.uid);
  // The owners' unready pods from the world's pod index, not a scan of every pod.
  return [...new Set([...owners].flatMap((uid) => world.pods.unreadyOwnedBy(uid)))]
    .filter((p) => p.metadata.namespace === owner.metadata.namespace)
    .filter((p) => !['Succeeded', 'Failed'].includes(podPhase(p)) && !podReady(p))
    .map((p) => (typeof p.spec?.nodeName === 'string' ? p.spec.nodeName : undefined));
}

export async function helmReleases(world: World): Promise<HelmReleaseStatus[]> {
  return world.store.listView(R.helmreleases).map((hr) => {
    const conditions = (hr.status?.conditions ?? []) as {
      type?: string;
      status?: string;
      reason?: string;
    }[];
    const ready = conditions.find((c) => c.type === 'Ready');
    const observed = (hr.status as { observedGeneration?: number } | undefined)?.observedGeneration;
    return {
      namespace: hr.metadata.namespace ?? '',
      name: hr.metadata.name,
      ready: ready?.status === 'True' && observed === (hr.metadata.generation ?? 1),
      reason: ready?.reason ?? 'Unknown',
    };
  });
}

export async function problemPods(world: World): Promise<PodView[]> {
  return world.store
    .listView(R.pods)
    .filter((p) => {
      const phase = podPhase(p);
      // Finished pods (CronJob history, evicted pods) are history, not problems.
      return phase !== 'Running' && phase !== 'Succeeded' && phase !== 'Failed';
    })
    .map(toPodView);
}

export async function getResource(
  world: World,
  apiVersion: string,
  plural: string,
  namespace: string | undefined,
  name: string,
): Promise<Record<string, unknown> | undefined> {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const resource = group === '' ? plural : `${group}/${plural}`;
  return world.store.get(resource, namespace, name);
}

export async function apiServerReady(world: World): Promise<boolean> {
  // The API server answers when at least one control plane machine runs and etcd has quorum.
  const members = world.state.etcd;
  const healthy = members.filter((m) => m.healthy && world.vmRunning(m.node)).length;
  return healthy > members.length / 2;
}
