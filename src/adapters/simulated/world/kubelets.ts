/**
 * Kubelets and the node-lifecycle controller: pods start once bound to a node whose kubelet
 * runs, stop after their grace period once deleted (not while the machine is away), pods on a
 * node that is not Ready are marked not ready, and taint-based eviction after five minutes.
 * Finished pods stay as they are; crash-looping pods run without ever becoming Ready.
 */
import { deletePod, podPhase, podReady } from '../kube/pods.js';
import { iso, type KubeObject } from '../kube/store.js';
import { readyStatus } from './nodes.js';
import { R } from './objects.js';
import { crashLooping, inCrashLoop, setCrashLoop } from './crash-loop.js';
import { isDaemonOrMirror, kubeletUp } from './pod-helpers.js';
import type { World } from './world.js';

const POD_START_SECONDS = 8;

export function kubelets(world: World): void {
  for (const pod of podsToLookAt(world)) lookAtPod(world, pod);
}

/** One bound pod: the node controller's part while its kubelet is down, else its kubelet's. */
function lookAtPod(world: World, pod: Readonly<KubeObject>): void {
  const nodeName = pod.spec?.nodeName ? String(pod.spec.nodeName) : undefined;
  if (!nodeName) return;
  const node = world.store.getView(R.nodes, undefined, nodeName);
  const looping = !pod.metadata.deletionTimestamp && crashLooping(world, pod);
  // The common case: a running, ready pod on a healthy node needs nothing.
  if (
    !looping &&
    !pod.metadata.deletionTimestamp &&
    podReady(pod) &&
    node &&
    readyStatus(node) === 'True'
  )
    return;
  const ns = pod.metadata.namespace ?? '';
  const up = kubeletUp(world, node);
  if (!up) {
    // The node controller marks pods on a node that is not Ready as not ready.
    if (node && readyStatus(node) !== 'True' && podReady(pod)) setPodReady(world, pod, false);
    if (!node && !isDaemonOrMirror(pod)) world.store.delete(R.pods, ns, pod.metadata.name);
    return;
  }
  kubeletActs(world, pod, nodeName, looping);
}

/**
 * The pod's kubelet runs: it stops a deleted pod after its grace period, rejects a pod of the
 * machine it replaced, keeps a crash-looping pod looping and starts the rest.
 */
function kubeletActs(
  world: World,
  pod: Readonly<KubeObject>,
  nodeName: string,
  looping: boolean,
): void {
  const uid = pod.metadata.uid;
  const ns = pod.metadata.namespace ?? '';
  // A finished pod is history: its kubelet never starts it again.
  const phase = podPhase(pod);
  if (phase === 'Succeeded' || phase === 'Failed') return;
  if (world.state.podTimers[uid]) return;
  const vm = world.vm(nodeName);
  const created = Date.parse(pod.metadata.creationTimestamp);
  if (pod.metadata.deletionTimestamp) {
    const deadline = Date.parse(pod.metadata.deletionTimestamp);
    const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    const stop = Math.min(deadline - world.now, world.rng.jitter(grace * 0.6, 0.3));
    world.state.podTimers[uid] = true;
    world.schedule(stop, { type: 'pod-terminated', namespace: ns, name: pod.metadata.name, uid });
    return;
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
    return;
  }
  if (looping) {
    if (!inCrashLoop(pod)) setCrashLoop(world, pod);
    return;
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

/**
 * Every pod when everything changed; else the pods written, and those on nodes whose node
 * object or VM changed, before this pass or during it so far (a pod just bound starts now).
 */
function podsToLookAt(world: World): readonly KubeObject[] {
  const { changes, changesSoFar } = world;
  if (changes.full) return world.store.listView(R.pods);
  const keys = new Set<string>([...changes.pods, ...changesSoFar.pods]);
  const out = world.pods.resolve(keys);
  for (const node of new Set([...changes.nodes, ...changesSoFar.nodes]))
    for (const pod of world.pods.onNode(node)) {
      const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
      if (keys.has(key)) continue;
      keys.add(key);
      out.push(pod);
    }
  return out;
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
    if (!kubeletUp(w, node)) return;
    if (crashLooping(w, pod)) setCrashLoop(w, pod);
    else setPodReady(w, pod, true);
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
