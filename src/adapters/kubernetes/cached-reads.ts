/**
 * The gates' reads answered from the watch caches (cluster-caches.ts) rather than the API
 * server: the same views as the fresh reads (nodes.ts, pods.ts, workloads.ts, health.ts), in the
 * order a list returns them (by namespace and name: etcd key order). A cache that is not in sync
 * throws (KUBE_UNAVAILABLE), which a gate reads as unknown: a wait.
 */
import type { V1LabelSelector } from '@kubernetes/client-node';
import type {
  NodeView,
  PodView,
  WorkloadAvailability,
  WorkloadKind,
  WorkloadStatus,
} from '../../ports/kubernetes.js';
import type { ClusterCaches } from './cluster-caches.js';
import { matchesSelector } from './label-match.js';
import { toNodeView, toPodView, type LooseNode, type LoosePod } from './views.js';
import type { WatchCache } from './watch-cache.js';
import type { WatchedObject } from './watch-stream.js';
import { reading, type LooseWorkload } from './workloads.js';

const byKey = (a: WatchedObject, b: WatchedObject) => {
  const ka = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
  const kb = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

async function sorted(cache: WatchCache): Promise<WatchedObject[]> {
  return (await cache.read()).sort(byKey);
}

export async function cachedNodes(caches: ClusterCaches): Promise<NodeView[]> {
  return (await sorted(caches.nodes)).map((n) => toNodeView(n as LooseNode));
}

export async function cachedNode(
  caches: ClusterCaches,
  name: string,
): Promise<NodeView | undefined> {
  const node = (await caches.nodes.read()).find((n) => n.metadata?.name === name);
  return node ? toNodeView(node as LooseNode) : undefined;
}

async function pods(caches: ClusterCaches): Promise<PodView[]> {
  return (await sorted(caches.pods)).map((p) => toPodView(p as LoosePod));
}

/** As pods.ts listPodsOnNode: the pods bound to the node (field spec.nodeName). */
export async function cachedPodsOnNode(caches: ClusterCaches, node: string): Promise<PodView[]> {
  return (await pods(caches)).filter((p) => p.nodeName === node);
}

/** As pods.ts problemPods: neither Running nor finished (Succeeded, Failed). */
export async function cachedProblemPods(caches: ClusterCaches): Promise<PodView[]> {
  return (await pods(caches)).filter(
    (p) => p.phase !== 'Running' && p.phase !== 'Succeeded' && p.phase !== 'Failed',
  );
}

function selected(all: PodView[], namespace: string, selector: V1LabelSelector | undefined) {
  return all.filter((p) => p.namespace === namespace && matchesSelector(selector, p.labels));
}

/** As workloads.ts workloadAvailability, every workload by its own status. */
export async function cachedWorkloadAvailability(
  caches: ClusterCaches,
): Promise<WorkloadAvailability[]> {
  const [deployments, statefulsets, daemonsets] = await Promise.all([
    sorted(caches.deployments),
    sorted(caches.statefulsets),
    sorted(caches.daemonsets),
  ]);
  const all: [WorkloadKind, LooseWorkload][] = [
    ...deployments.map((d) => ['Deployment', d] as [WorkloadKind, LooseWorkload]),
    ...statefulsets.map((s) => ['StatefulSet', s] as [WorkloadKind, LooseWorkload]),
    ...daemonsets.map((d) => ['DaemonSet', d] as [WorkloadKind, LooseWorkload]),
  ];
  const out = all.map(([kind, w]) => ({ reading: reading(kind, w), w }));
  const short = out.filter((o) => o.reading.available < o.reading.desired);
  if (short.length > 0) {
    const every = await pods(caches);
    for (const { reading: r, w } of short) {
      // An empty selector would select the whole namespace; say nothing rather than guess.
      if (Object.keys(w.spec?.selector ?? {}).length === 0) continue;
      r.unreadyPodNodes = selected(every, r.namespace, w.spec?.selector)
        .filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed' && !p.ready)
        .map((p) => p.nodeName);
    }
  }
  return out.map((o) => o.reading);
}

/** As health.ts deploymentStatus / daemonSetStatus: the status and its ready pods' nodes. */
export async function cachedWorkloadStatus(
  caches: ClusterCaches,
  kind: 'Deployment' | 'DaemonSet',
  namespace: string,
  name: string,
): Promise<WorkloadStatus | undefined> {
  const cache = kind === 'Deployment' ? caches.deployments : caches.daemonsets;
  const w = (await cache.read()).find(
    (o) => o.metadata?.namespace === namespace && o.metadata.name === name,
  ) as (LooseWorkload & { metadata?: { generation?: number } }) | undefined;
  if (!w) return undefined;
  const r = reading(kind, w);
  const nodes = new Set<string>();
  for (const p of selected(await pods(caches), namespace, w.spec?.selector))
    if (p.ready && p.phase === 'Running' && !p.deleting && p.nodeName) nodes.add(p.nodeName);
  return {
    namespace,
    name,
    desired: r.desired,
    available: r.available,
    generation: r.generation,
    observedGeneration: r.observedGeneration,
    readyNodes: [...nodes].sort(),
  };
}
