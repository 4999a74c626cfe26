/**
 * Small helpers the simulated controllers share: a pod's controller, daemon/mirror pods,
 * whether a node's kubelet can act, and generated pod names.
 */
import type { KubeObject } from '../kube/store.js';
import { readyStatus } from './nodes.js';
import { MIRROR_ANNOTATION, R } from './objects.js';
import type { World } from './world.js';

export function controller(pod: KubeObject): { kind: string; name: string } | undefined {
  const ref = pod.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

export function isDaemonOrMirror(pod: KubeObject): boolean {
  return (
    controller(pod)?.kind === 'DaemonSet' ||
    pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined
  );
}

/** The node the pod is bound to, if any. */
export function nodeNameOf(pod: KubeObject): string | undefined {
  const name = pod.spec?.nodeName;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** Succeeded or Failed: the pod will not run again. */
export function finished(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** A pod's four conditions, all set at `at`: scheduled, initialised, and ready or not. */
export function podConditions(at: string, ready: boolean, reason?: string) {
  return [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
    { type: 'Initialized', status: 'True', lastTransitionTime: at },
    {
      type: 'ContainersReady',
      status: ready ? 'True' : 'False',
      lastTransitionTime: at,
      ...(reason ? { reason } : {}),
    },
    {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      lastTransitionTime: at,
      ...(reason ? { reason } : {}),
    },
  ];
}

/** The kubelet on this node can act: its machine runs and it is Ready. */
export function kubeletUp(world: World, node: KubeObject | undefined): boolean {
  return !!node && world.vmRunning(node.metadata.name) && readyStatus(node) === 'True';
}

/**
 * A free name for a new pod in `namespace`, as the API server's generateName makes it: `prefix-`
 * and five random characters (27^5, about 14 million names). A collision is certain somewhere in
 * a 5,000-node cluster's ~25,000 pods; the real API server then answers AlreadyExists and the
 * controller tries again with a fresh name, so the twin draws again until the name is free. The
 * first draw is the one it always made: seeded runs without a collision are unchanged.
 */
export function generatedPodName(
  world: World,
  namespace: string | undefined,
  prefix: string,
): string {
  for (;;) {
    const name = `${prefix}-${world.rng.suffix(5)}`;
    if (!world.store.getView(R.pods, namespace, name)) return name;
  }
}
