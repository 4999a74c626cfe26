/**
 * The simulated scheduler: binds pending pods to Ready, schedulable nodes that fit (placement,
 * required anti-affinity between the pods of one app, the control-plane taint), the least
 * loaded first. It looks only at unbound pods (kept in the world's pod index), so a pass costs
 * nothing when every pod is bound.
 */
import { iso, type KubeObject } from '../kube/store.js';
import { isCordoned } from './nodes.js';
import { PLACEMENT_ANNOTATION, R, SPREAD_ANNOTATION, type Placement } from './objects.js';
import { kubeletUp } from './pod-helpers.js';
import type { World } from './world.js';

export function eligible(
  world: World,
  node: KubeObject,
  placement: Placement,
  daemon: boolean,
): boolean {
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

export function placementOf(obj: KubeObject): Placement {
  return (obj.metadata.annotations?.[PLACEMENT_ANNOTATION] as Placement | undefined) ?? 'workers';
}

/** Node names in numeric order (k8s-work-2 before k8s-work-10); one collator, not one per call. */
const byNumericName = new Intl.Collator('en', { numeric: true }).compare;

export function schedule(world: World): void {
  const pending = world.pods
    .resolve([...world.pods.unbound])
    .filter((p) => !p.spec?.nodeName && !p.metadata.deletionTimestamp);
  if (pending.length === 0) return;
  const nodes = world.store.listView(R.nodes);
  // Nodes that may take a new pod, per placement: computed once per pass, not once per pod.
  const eligibleBy = new Map<Placement, KubeObject[]>();
  const eligibleFor = (placement: Placement) => {
    let list = eligibleBy.get(placement);
    if (!list)
      eligibleBy.set(placement, (list = nodes.filter((n) => eligible(world, n, placement, false))));
    return list;
  };
  for (const pod of pending) {
    const spread = pod.metadata.annotations?.[SPREAD_ANNOTATION] === 'true';
    const taken = spread ? nodesWithApp(world, pod) : undefined;
    // The least loaded candidate, ties to the lowest name in numeric order.
    let target: KubeObject | undefined;
    let targetLoad = 0;
    for (const n of eligibleFor(placementOf(pod))) {
      if (taken?.has(n.metadata.name)) continue;
      const load = world.pods.countOnNode(n.metadata.name);
      if (
        !target ||
        load < targetLoad ||
        (load === targetLoad && byNumericName(n.metadata.name, target.metadata.name) < 0)
      ) {
        target = n;
        targetLoad = load;
      }
    }
    if (!target) continue;
    const nodeName = target.metadata.name;
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

/** Nodes holding a pod of the same app in the same namespace (required anti-affinity). */
function nodesWithApp(world: World, pod: KubeObject): Set<string> {
  const app = pod.metadata.labels?.app;
  const out = new Set<string>();
  for (const o of world.pods.inNamespace(pod.metadata.namespace ?? ''))
    if (o.spec?.nodeName && o.metadata.labels?.app === app) out.add(String(o.spec.nodeName));
  return out;
}
