/**
 * The workload controllers and the scheduler of the simulated cluster, level-based: each pass
 * reads the store and writes only what differs, so the same behaviour follows whether Drover
 * changed the store through the in-process port or through the fake API server.
 * - ReplicaSet/StatefulSet/DaemonSet controllers keep their pods (a Deployment replaces a
 *   terminating pod at once; a StatefulSet only once the old pod is gone).
 * - The scheduler binds pending pods to Ready, schedulable nodes that fit (placement, required
 *   anti-affinity, control-plane taint).
 */
import { iso, type KubeObject } from '../kube/store.js';
import { kubelets } from './kubelets.js';
import { isCordoned } from './nodes.js';
import {
  PLACEMENT_ANNOTATION,
  R,
  SPREAD_ANNOTATION,
  mirrorPodObject,
  podObject,
  type Placement,
} from './objects.js';
import { finished, kubeletUp, owned } from './pod-helpers.js';
import type { World } from './world.js';

export const CONTROL_PLANE_COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
];

function eligible(world: World, node: KubeObject, placement: Placement, daemon: boolean): boolean {
  const spec = world.node(node.metadata.name);
  if (!spec) return false;
  switch (placement) {
    case 'workers':
      if (spec.role !== 'worker') return false;
      break;
    case 'controlplane':
      if (spec.role !== 'controlplane') return false;
      break;
    case 'osd':
      if (spec.storage?.osd !== true) return false;
      break;
    case 'gpu':
      if (!spec.gpu) return false;
      break;
    case 'all':
      break;
  }
  if (daemon) return true;
  return kubeletUp(world, node) && !isCordoned(node);
}

function placementOf(obj: KubeObject): Placement {
  return (obj.metadata.annotations?.[PLACEMENT_ANNOTATION] as Placement | undefined) ?? 'workers';
}

export function reconcileWorkloads(world: World): void {
  const store = world.store;
  const nodes = store.listView(R.nodes);
  let pods = store.listView(R.pods);

  // ReplicaSets (one per Deployment) keep `replicas` pods that are not terminating.
  for (const rs of store.listView(R.replicasets)) {
    const want = Number(rs.spec?.replicas ?? 0);
    // Active pods only, as the ReplicaSet controller counts (controller_utils FilterActivePods):
    // an evicted (Failed) pod is replaced.
    const live = owned(pods, rs).filter((p) => !p.metadata.deletionTimestamp && !finished(p));
    for (let i = live.length; i < want; i++) {
      const hash = (rs.metadata.labels ?? {})['pod-template-hash'] ?? '';
      store.create(
        R.pods,
        podObject(rs, `${rs.metadata.name}-${world.rng.suffix(5)}`, { 'pod-template-hash': hash }),
      );
    }
  }
  // StatefulSets recreate pod <name>-<i> only once the old one is gone.
  for (const sts of store.listView(R.statefulsets)) {
    const want = Number(sts.spec?.replicas ?? 0);
    for (let i = 0; i < want; i++) {
      const name = `${sts.metadata.name}-${i}`;
      if (
        !pods.some(
          (p) => p.metadata.namespace === sts.metadata.namespace && p.metadata.name === name,
        )
      )
        store.create(R.pods, podObject(sts, name, { 'statefulset.kubernetes.io/pod-name': name }));
    }
  }
  // DaemonSets: one pod per eligible node object.
  pods = store.listView(R.pods);
  for (const ds of store.listView(R.daemonsets)) {
    const mine = owned(pods, ds);
    for (const node of nodes) {
      if (!eligible(world, node, placementOf(ds), true)) continue;
      if (mine.some((p) => p.spec?.nodeName === node.metadata.name)) continue;
      store.create(
        R.pods,
        podObject(ds, `${ds.metadata.name}-${world.rng.suffix(5)}`, {}, node.metadata.name),
      );
    }
  }
  // Static control plane pods come back with their kubelet.
  for (const node of nodes) {
    if (world.node(node.metadata.name)?.role !== 'controlplane' || !kubeletUp(world, node))
      continue;
    for (const component of CONTROL_PLANE_COMPONENTS) {
      if (!store.getView(R.pods, 'kube-system', `${component}-${node.metadata.name}`))
        store.create(R.pods, mirrorPodObject(component, node));
    }
  }

  pods = store.listView(R.pods);
  schedule(world, nodes, pods);
  pods = store.listView(R.pods);
  kubelets(world, nodes, pods);
}

function schedule(world: World, nodes: readonly KubeObject[], pods: readonly KubeObject[]): void {
  const perNode = new Map<string, number>();
  for (const p of pods)
    if (p.spec?.nodeName)
      perNode.set(String(p.spec.nodeName), (perNode.get(String(p.spec.nodeName)) ?? 0) + 1);
  const bound = new Map<string, string>();
  const nodeOf = (p: KubeObject) =>
    (p.spec?.nodeName as string | undefined) ?? bound.get(p.metadata.uid);
  for (const pod of pods) {
    if (pod.spec?.nodeName || pod.metadata.deletionTimestamp) continue;
    const spread = pod.metadata.annotations?.[SPREAD_ANNOTATION] === 'true';
    const app = pod.metadata.labels?.app;
    const candidates = nodes
      .filter((n) => eligible(world, n, placementOf(pod), false))
      .filter(
        (n) =>
          !spread ||
          !pods.some(
            (o) =>
              nodeOf(o) === n.metadata.name &&
              o.metadata.namespace === pod.metadata.namespace &&
              o.metadata.labels?.app === app,
          ),
      )
      .sort(
        (a, b) =>
          (perNode.get(a.metadata.name) ?? 0) - (perNode.get(b.metadata.name) ?? 0) ||
          a.metadata.name.localeCompare(b.metadata.name, 'en', { numeric: true }),
      );
    const target = candidates[0];
    if (!target) continue;
    const nodeName = target.metadata.name;
    perNode.set(nodeName, (perNode.get(nodeName) ?? 0) + 1);
    bound.set(pod.metadata.uid, nodeName);
    world.store.mutate(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
      p.spec = { ...p.spec, nodeName };
      p.status = {
        ...p.status,
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: iso(world.now) }],
      };
    });
  }
}
