/**
 * The controllers and kubelets of the simulated cluster, level-based: each pass reads the store
 * and writes only what differs, so the same behaviour follows whether Drover changed the store
 * through the in-process port or through the fake API server.
 * - ReplicaSet/StatefulSet/DaemonSet controllers keep their pods (a Deployment replaces a
 *   terminating pod at once; a StatefulSet only once the old pod is gone).
 * - The scheduler binds pending pods to Ready, schedulable nodes that fit (placement, required
 *   anti-affinity, control-plane taint).
 * - Kubelets start pods, stop deleted pods after their grace period, and cannot do either while
 *   their machine is away; the node controller marks pods on a not-Ready node not ready.
 * - The disruption controller recomputes every PDB's status.
 */
import { selectorMatches, type LabelSelectorObject } from '../kube/http/label-selector.js';
import { deletePod, podPhase, podReady } from '../kube/pods.js';
import { iso, type KubeObject } from '../kube/store.js';
import { isCordoned, readyStatus } from './nodes.js';
import {
  MIRROR_ANNOTATION,
  PLACEMENT_ANNOTATION,
  R,
  SPREAD_ANNOTATION,
  mirrorPodObject,
  podObject,
  type Placement,
} from './objects.js';
import type { World } from './world.js';

export const CONTROL_PLANE_COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
];
/** disruptedPods entries the disruption controller forgets after this long. */
const DISRUPTED_TIMEOUT_MS = 120_000;
const POD_START_SECONDS = 8;

function controller(pod: KubeObject): { kind: string; name: string } | undefined {
  const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

export function isDaemonOrMirror(pod: KubeObject): boolean {
  return (
    controller(pod)?.kind === 'DaemonSet' ||
    pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined
  );
}

const ownerIndexes = new WeakMap<readonly KubeObject[], Map<string, KubeObject[]>>();

/** Pods controlled by `owner`, through an index built once per pod list. */
function owned(pods: readonly KubeObject[], owner: KubeObject): KubeObject[] {
  let index = ownerIndexes.get(pods);
  if (!index) {
    index = new Map();
    for (const p of pods)
      for (const r of p.metadata.ownerReferences ?? []) {
        const list = index.get(r.uid);
        if (list) list.push(p);
        else index.set(r.uid, [p]);
      }
    ownerIndexes.set(pods, index);
  }
  return index.get(owner.metadata.uid) ?? [];
}

/** The kubelet on this node can act: its machine runs and it is Ready. */
function kubeletUp(world: World, node: KubeObject | undefined): boolean {
  return !!node && world.vmRunning(node.metadata.name) && readyStatus(node) === 'True';
}

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
    const live = owned(pods, rs).filter((p) => !p.metadata.deletionTimestamp);
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

function kubelets(world: World, nodes: readonly KubeObject[], pods: readonly KubeObject[]): void {
  const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName ? String(pod.spec.nodeName) : undefined;
    if (!nodeName) continue;
    const node = byName.get(nodeName);
    // The common case: a running, ready pod on a healthy node needs nothing.
    if (!pod.metadata.deletionTimestamp && podReady(pod) && node && readyStatus(node) === 'True')
      continue;
    const uid = pod.metadata.uid;
    const ns = pod.metadata.namespace ?? '';
    const up = kubeletUp(world, node);
    if (!up) {
      // The node controller marks pods on a node that is not Ready as not ready.
      if (node && readyStatus(node) !== 'True' && podReady(pod)) setPodReady(world, pod, false);
      if (!node && !isDaemonOrMirror(pod)) world.store.delete(R.pods, ns, pod.metadata.name);
      continue;
    }
    if (world.state.podTimers[uid]) continue;
    const vm = world.vm(nodeName);
    const created = Date.parse(pod.metadata.creationTimestamp);
    if (pod.metadata.deletionTimestamp) {
      const deadline = Date.parse(pod.metadata.deletionTimestamp);
      const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
      const stop = Math.min(deadline - world.now, world.rng.jitter(grace * 0.6, 0.3));
      world.state.podTimers[uid] = true;
      world.schedule(stop, { type: 'pod-terminated', namespace: ns, name: pod.metadata.name, uid });
      continue;
    }
    // A pod bound before this machine existed belongs to the replaced VM: the new kubelet
    // restarts daemon and static pods and rejects the rest.
    if (
      vm &&
      created < vm.createdAt &&
      !isDaemonOrMirror(pod) &&
      podPhase(pod) === 'Running' &&
      !podReady(pod)
    ) {
      world.store.delete(R.pods, ns, pod.metadata.name);
      continue;
    }
    if (!podReady(pod)) {
      world.state.podTimers[uid] = true;
      world.schedule(world.rng.jitter(POD_START_SECONDS * 1000, 0.5), {
        type: 'pod-running',
        namespace: ns,
        name: pod.metadata.name,
        uid,
      });
    }
  }
}

function setPodReady(world: World, pod: KubeObject, ready: boolean): void {
  world.store.mutate(R.pods, pod.metadata.namespace, pod.metadata.name, (p) => {
    const at = iso(world.now);
    const status = 'True';
    const flag = ready ? 'True' : 'False';
    p.status = {
      ...p.status,
      phase: ready ? 'Running' : (p.status?.phase ?? 'Pending'),
      conditions: [
        { type: 'PodScheduled', status, lastTransitionTime: at },
        { type: 'Initialized', status, lastTransitionTime: at },
        { type: 'ContainersReady', status: flag, lastTransitionTime: at },
        { type: 'Ready', status: flag, lastTransitionTime: at },
      ],
      ...(ready
        ? {
            startTime: at,
            podIP: `10.244.${Math.floor(world.rng.next() * 16)}.${Math.floor(world.rng.next() * 250) + 2}`,
          }
        : {}),
    };
  });
}

export function registerPodHandlers(world: World): void {
  world.on('pod-running', (w, e) => {
    if (e.type !== 'pod-running') return;
    delete w.state.podTimers[e.uid];
    const pod = w.store.getView(R.pods, e.namespace, e.name);
    if (!pod || pod.metadata.uid !== e.uid || pod.metadata.deletionTimestamp) return;
    const node = pod.spec?.nodeName
      ? w.store.getView(R.nodes, undefined, String(pod.spec.nodeName))
      : undefined;
    if (kubeletUp(w, node)) setPodReady(w, pod, true);
  });
  world.on('pod-terminated', (w, e) => {
    if (e.type !== 'pod-terminated') return;
    delete w.state.podTimers[e.uid];
    const pod = w.store.getView(R.pods, e.namespace, e.name);
    if (!pod || pod.metadata.uid !== e.uid) return;
    const node = pod.spec?.nodeName
      ? w.store.getView(R.nodes, undefined, String(pod.spec.nodeName))
      : undefined;
    if (kubeletUp(w, node)) w.store.delete(R.pods, e.namespace, e.name);
  });
  world.on('taint-evict', (w, e) => {
    if (e.type !== 'taint-evict') return;
    const node = w.store.getView(R.nodes, undefined, e.node);
    if (!node || readyStatus(node) === 'True') return;
    for (const pod of w.store.listView(R.pods)) {
      if (pod.spec?.nodeName !== e.node || isDaemonOrMirror(pod) || pod.metadata.deletionTimestamp)
        continue;
      deletePod(w.store, pod.metadata.namespace ?? '', pod.metadata.name, undefined, w.now);
    }
  });
}

/** Workload status as the controllers write it (observedGeneration, ready and available counts). */
export function reconcileWorkloadStatus(world: World): void {
  const store = world.store;
  const pods = store.listView(R.pods);
  const readyOf = (owner: KubeObject, viaReplicaSet = false) => {
    const owners = viaReplicaSet
      ? store
          .listView(R.replicasets, owner.metadata.namespace)
          .filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid))
      : [owner];
    const mine = owners.flatMap((o) => owned(pods, o));
    return {
      all: mine.length,
      ready: mine.filter((p) => podReady(p) && !p.metadata.deletionTimestamp).length,
    };
  };
  const write = (resource: string, obj: KubeObject, status: Record<string, unknown>) => {
    if (JSON.stringify(obj.status ?? {}) === JSON.stringify(status)) return;
    store.update(resource, { ...obj, status });
  };
  for (const d of store.listView(R.deployments)) {
    const { all, ready } = readyOf(d, true);
    const replicas = Number(d.spec?.replicas ?? 0);
    write(R.deployments, d, {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: all,
      updatedReplicas: all,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}),
      conditions: [
        {
          type: 'Available',
          status: ready >= replicas ? 'True' : 'False',
          reason: ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        },
      ],
    });
  }
  for (const s of store.listView(R.statefulsets)) {
    const { all, ready } = readyOf(s);
    write(R.statefulsets, s, {
      observedGeneration: s.metadata.generation ?? 1,
      replicas: all,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: all,
      updatedReplicas: all,
    });
  }
  for (const ds of store.listView(R.daemonsets)) {
    const mine = owned(pods, ds);
    const ready = mine.filter((p) => podReady(p) && !p.metadata.deletionTimestamp).length;
    write(R.daemonsets, ds, {
      observedGeneration: ds.metadata.generation ?? 1,
      desiredNumberScheduled: mine.length,
      currentNumberScheduled: mine.length,
      updatedNumberScheduled: mine.length,
      numberReady: ready,
      numberAvailable: ready,
      numberMisscheduled: 0,
      ...(mine.length - ready > 0 ? { numberUnavailable: mine.length - ready } : {}),
    });
  }
}

function scaled(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const pct = Number.parseInt(value, 10) / 100;
  return roundUp ? Math.ceil(pct * total) : Math.floor(pct * total);
}

/** The disruption controller: currentHealthy, desiredHealthy, disruptionsAllowed, disruptedPods. */
export function reconcilePdbs(world: World): void {
  const store = world.store;
  const pods = store.listView(R.pods);
  for (const pdb of store.listView(R.pdbs)) {
    const ns = pdb.metadata.namespace ?? '';
    const spec = pdb.spec ?? {};
    const matching = pods.filter(
      (p) =>
        p.metadata.namespace === ns &&
        selectorMatches(spec.selector as LabelSelectorObject | undefined, p.metadata.labels),
    );
    const status = (pdb.status ?? {}) as { disruptedPods?: Record<string, string> };
    const disrupted: Record<string, string> = {};
    for (const [pod, at] of Object.entries(status.disruptedPods ?? {})) {
      const p = matching.find((m) => m.metadata.name === pod);
      if (p && !p.metadata.deletionTimestamp && world.now - Date.parse(at) < DISRUPTED_TIMEOUT_MS)
        disrupted[pod] = at;
    }
    const expected = expectedPods(world, ns, matching);
    const healthy = matching.filter(
      (p) => podReady(p) && !p.metadata.deletionTimestamp && !(p.metadata.name in disrupted),
    ).length;
    const desired =
      spec.minAvailable !== undefined
        ? scaled(spec.minAvailable as number | string, expected, true)
        : Math.max(
            0,
            expected - scaled((spec.maxUnavailable ?? 0) as number | string, expected, true),
          );
    const blocked = world.hasFault(
      'pdb-blocks',
      (f) => f.type === 'pdb-blocks' && f.namespace === ns && f.name === pdb.metadata.name,
    );
    const allowed = blocked ? 0 : Math.max(0, healthy - desired);
    const next = {
      observedGeneration: pdb.metadata.generation ?? 1,
      disruptionsAllowed: allowed,
      currentHealthy: healthy,
      desiredHealthy: desired,
      expectedPods: expected,
      ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
      conditions: [
        {
          type: 'DisruptionAllowed',
          status: allowed > 0 ? 'True' : 'False',
          reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
          observedGeneration: pdb.metadata.generation ?? 1,
        },
      ],
    };
    const prev = { ...(pdb.status ?? {}) } as Record<string, unknown>;
    if (JSON.stringify(stripTimes(prev)) === JSON.stringify(stripTimes(next))) continue;
    const cond = next.conditions[0] as Record<string, unknown>;
    const prevCond = (Array.isArray(prev.conditions) ? prev.conditions[0] : undefined) as
      Record<string, unknown> | undefined;
    cond.lastTransitionTime =
      prevCond && prevCond.status === cond.status ? prevCond.lastTransitionTime : iso(world.now);
    store.update(R.pdbs, { ...pdb, status: next });
  }
}

function stripTimes(status: Record<string, unknown>): Record<string, unknown> {
  const conditions = Array.isArray(status.conditions)
    ? status.conditions.map((c: Record<string, unknown>) => {
        const { lastTransitionTime: _t, ...rest } = c;
        return rest;
      })
    : status.conditions;
  return { ...status, conditions };
}

/** The scale of the controllers owning the matching pods (as the disruption controller finds it). */
function expectedPods(world: World, namespace: string, pods: readonly KubeObject[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const p of pods) {
    const ref = controller(p);
    if (!ref || seen.has(`${ref.kind}/${ref.name}`)) continue;
    seen.add(`${ref.kind}/${ref.name}`);
    const resource =
      ref.kind === 'ReplicaSet'
        ? R.replicasets
        : ref.kind === 'StatefulSet'
          ? R.statefulsets
          : undefined;
    const owner = resource ? world.store.getView(resource, namespace, ref.name) : undefined;
    total += Number(owner?.spec?.replicas ?? 0);
  }
  return total;
}
