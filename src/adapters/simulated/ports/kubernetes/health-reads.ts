/**
 * The reads health gates make: workload availability (and on which nodes it is ready), Ceph and
 * HelmRelease health, pods that are not running, any object by API version, API server readiness.
 */
import type {
  HelmReleaseStatus,
  PodView,
  StorageHealth,
  WorkloadStatus,
} from '../../../../ports/kubernetes.js';
import { podPhase, podReady } from '../../kube/pods.js';
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
  const status = (d.status ?? {}) as { availableReplicas?: number };
  return {
    namespace,
    name,
    desired: Number(d.spec?.replicas ?? 0),
    available: status.availableReplicas ?? 0,
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
  };
  return {
    namespace,
    name,
    desired: status.desiredNumberScheduled ?? 0,
    available: status.numberAvailable ?? 0,
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
  const cluster = world.store.listView(R.cephclusters)[0];
  const health = (cluster?.status?.ceph as { health?: string } | undefined)?.health;
  return health === 'HEALTH_OK' || health === 'HEALTH_WARN' || health === 'HEALTH_ERR'
    ? health
    : undefined;
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
      return phase !== 'Running' && phase !== 'Succeeded';
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
