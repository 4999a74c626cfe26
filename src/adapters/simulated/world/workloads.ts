/**
 * The workload controllers of the simulated cluster, level-based: each pass looks at what
 * changed since the last (world.changes; everything at start and when a fault starts or ends)
 * and writes only what differs, so the same behaviour follows whether Drover changed the store
 * through the in-process port or through the fake API server.
 * - ReplicaSet/StatefulSet/DaemonSet controllers keep their pods (a Deployment replaces a
 *   terminating pod at once; a StatefulSet only once the old pod is gone).
 * - The scheduler (scheduler.ts) binds pending pods; the kubelets (kubelets.ts) run them.
 */
import { kubelets } from './kubelets.js';
import { R, mirrorPodObject, podObject } from './objects.js';
import { finished, generatedPodName, kubeletUp } from './pod-helpers.js';
import { eligible, placementOf, schedule } from './scheduler.js';
import type { World } from './world.js';

export const CONTROL_PLANE_COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
];

export function reconcileWorkloads(world: World): void {
  reconcileReplicaSets(world);
  reconcileStatefulSets(world);
  reconcileDaemonSets(world);
  reconcileMirrorPods(world);
  schedule(world);
  kubelets(world);
}

/** ReplicaSets (one per Deployment) keep `replicas` pods that are not terminating. */
function reconcileReplicaSets(world: World): void {
  const store = world.store;
  for (const rs of store.listView(R.replicasets)) {
    const want = Number(rs.spec?.replicas ?? 0);
    // Active pods only, as the ReplicaSet controller counts (controller_utils FilterActivePods):
    // an evicted (Failed) pod is replaced.
    const live = world.pods
      .ownedBy(rs.metadata.uid)
      .filter((p) => !p.metadata.deletionTimestamp && !finished(p));
    for (let i = live.length; i < want; i++) {
      const hash = (rs.metadata.labels ?? {})['pod-template-hash'] ?? '';
      store.create(
        R.pods,
        podObject(rs, generatedPodName(world, rs.metadata.namespace, rs.metadata.name), {
          'pod-template-hash': hash,
        }),
      );
    }
  }
}

/** StatefulSets recreate pod <name>-<i> only once the old one is gone. */
function reconcileStatefulSets(world: World): void {
  const store = world.store;
  for (const sts of store.listView(R.statefulsets)) {
    const want = Number(sts.spec?.replicas ?? 0);
    for (let i = 0; i < want; i++) {
      const name = `${sts.metadata.name}-${i}`;
      if (!store.getView(R.pods, sts.metadata.namespace, name))
        store.create(R.pods, podObject(sts, name, { 'statefulset.kubernetes.io/pod-name': name }));
    }
  }
}

/**
 * DaemonSets: one pod per eligible node object. Only nodes that changed (or lost a pod) can
 * lack one, unless everything changed or a DaemonSet is new or has a new spec.
 */
function reconcileDaemonSets(world: World): void {
  const store = world.store;
  const daemonSets = store.listView(R.daemonsets);
  const seen = daemonSetGenerations(world);
  const allNodes =
    world.changes.full ||
    daemonSets.some((ds) => seen.get(ds.metadata.uid) !== (ds.metadata.generation ?? 1));
  for (const ds of daemonSets) seen.set(ds.metadata.uid, ds.metadata.generation ?? 1);
  const nodes = allNodes
    ? store.listView(R.nodes)
    : [...world.changes.nodes].flatMap((name) => store.getView(R.nodes, undefined, name) ?? []);
  for (const ds of daemonSets) {
    for (const node of nodes) {
      if (!eligible(world, node, placementOf(ds), true)) continue;
      if (
        world.pods
          .onNode(node.metadata.name)
          .some((p) => p.metadata.ownerReferences?.some((r) => r.uid === ds.metadata.uid))
      )
        continue;
      store.create(
        R.pods,
        podObject(
          ds,
          generatedPodName(world, ds.metadata.namespace, ds.metadata.name),
          {},
          node.metadata.name,
        ),
      );
    }
  }
}

/** Static control plane pods come back with their kubelet. */
function reconcileMirrorPods(world: World): void {
  const store = world.store;
  for (const name of controlPlaneNames(world)) {
    const node = store.getView(R.nodes, undefined, name);
    if (!node || !kubeletUp(world, node)) continue;
    for (const component of CONTROL_PLANE_COMPONENTS) {
      if (!store.getView(R.pods, 'kube-system', `${component}-${name}`))
        store.create(R.pods, mirrorPodObject(component, node));
    }
  }
}

/** DaemonSet generations already rolled out to every node, per world. */
const daemonSetsSeen = new WeakMap<World, Map<string, number>>();
function daemonSetGenerations(world: World): Map<string, number> {
  let seen = daemonSetsSeen.get(world);
  if (!seen) daemonSetsSeen.set(world, (seen = new Map()));
  return seen;
}

const controlPlanes = new WeakMap<World, string[]>();
function controlPlaneNames(world: World): string[] {
  let names = controlPlanes.get(world);
  if (!names) {
    names = world.context.inventory.nodes
      .filter((n) => n.role === 'controlplane')
      .map((n) => n.name);
    controlPlanes.set(world, names);
  }
  return names;
}
