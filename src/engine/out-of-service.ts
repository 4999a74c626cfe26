/**
 * One view of "out of service" for the scheduler and the pre-act check (invariants 4 and 10):
 * a node is out when Kubernetes has no Node for it, its Node is not Ready or is cordoned, or its
 * Talos API does not answer. The node lifecycle controller marks a silent node's Ready Unknown
 * only after NodeMonitorGracePeriod (kube-controller-manager --node-monitor-grace-period, 40s by
 * default; kubernetes/kubernetes pkg/controller/nodelifecycle/config/types.go), while a machine
 * that just stopped fails its Talos API at once: without the Talos read the scheduler would
 * take a batch the pre-act check then refuses to act on, holding it cordoned.
 */
import type { InventoryNode } from '../core/inventory.js';
import type { NodeView } from '../ports/kubernetes.js';
import type { RunState } from './context.js';

export interface OutOfServiceOptions {
  /** Cordoned counts as out (false for nodes Drover will take itself: cordoned is no loss). */
  cordonedIsOut?: (node: InventoryNode) => boolean;
}

/** The nodes of `candidates` out of service now, whoever took them out. */
export async function outOfServiceNow(
  run: RunState,
  candidates: readonly InventoryNode[],
  views: readonly NodeView[],
  options: OutOfServiceOptions = {},
): Promise<InventoryNode[]> {
  const viewOf = new Map(views.map((v) => [v.name, v]));
  const byKubernetes = (n: InventoryNode) => {
    const view = viewOf.get(n.name);
    if (view === undefined || view.ready !== 'True') return true;
    return view.unschedulable && (options.cordonedIsOut?.(n) ?? true);
  };
  // Only nodes Kubernetes still counts in service are asked: no answer is unknown, so down.
  const answers = await Promise.all(
    candidates.map((n) =>
      byKubernetes(n)
        ? Promise.resolve(false)
        : run.ports.talos.version(n.address).then(
            () => true,
            () => false,
          ),
    ),
  );
  return candidates.filter((_, i) => !answers[i]);
}
