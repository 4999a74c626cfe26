/**
 * Workload availability across the cluster, by each controller's own status: Deployments and
 * StatefulSets (availableReplicas against spec.replicas), DaemonSets (numberAvailable against
 * status.desiredNumberScheduled), with metadata.generation and status.observedGeneration. For a
 * workload short of availability, its pods (by its selector) say where the unready ones are.
 */
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { WorkloadAvailability, WorkloadKind } from '../../ports/kubernetes.js';
import type { KubeClient } from './client.js';
import { selectorString } from './health.js';
import { toPodView, type LoosePod } from './views.js';

export interface LooseWorkload {
  metadata?: { name?: string; namespace?: string; generation?: number };
  spec?: { replicas?: number; selector?: V1LabelSelector };
  status?: {
    observedGeneration?: number;
    availableReplicas?: number;
    desiredNumberScheduled?: number;
    numberAvailable?: number;
  };
}

export function reading(kind: WorkloadKind, w: LooseWorkload): WorkloadAvailability {
  const daemon = kind === 'DaemonSet';
  return {
    kind,
    namespace: w.metadata?.namespace ?? '',
    name: w.metadata?.name ?? '',
    desired: daemon ? (w.status?.desiredNumberScheduled ?? 0) : (w.spec?.replicas ?? 1),
    available: (daemon ? w.status?.numberAvailable : w.status?.availableReplicas) ?? 0,
    generation: w.metadata?.generation,
    observedGeneration: w.status?.observedGeneration,
    unreadyPodNodes: [],
  };
}

export async function workloadAvailability(client: KubeClient): Promise<WorkloadAvailability[]> {
  const [deployments, statefulsets, daemonsets] = await Promise.all([
    client.read('LIST deployments', () => client.apps.listDeploymentForAllNamespaces()),
    client.read('LIST statefulsets', () => client.apps.listStatefulSetForAllNamespaces()),
    client.read('LIST daemonsets', () => client.apps.listDaemonSetForAllNamespaces()),
  ]);
  const all: [WorkloadKind, LooseWorkload][] = [
    ...deployments.items.map((d) => ['Deployment', d] as [WorkloadKind, LooseWorkload]),
    ...statefulsets.items.map((s) => ['StatefulSet', s] as [WorkloadKind, LooseWorkload]),
    ...daemonsets.items.map((d) => ['DaemonSet', d] as [WorkloadKind, LooseWorkload]),
  ];
  const out: WorkloadAvailability[] = [];
  for (const [kind, w] of all) {
    const r = reading(kind, w);
    if (r.available < r.desired) r.unreadyPodNodes = await unreadyPodNodes(client, r, w);
    out.push(r);
  }
  return out;
}

async function unreadyPodNodes(
  client: KubeClient,
  r: WorkloadAvailability,
  w: LooseWorkload,
): Promise<(string | undefined)[]> {
  const labelSelector = selectorString(w.spec?.selector);
  // An empty selector would list the whole namespace; say nothing rather than guess.
  if (labelSelector === '') return [];
  const pods = await client.read(`LIST pods ${r.namespace} ${labelSelector}`, () =>
    client.core.listNamespacedPod({ namespace: r.namespace, labelSelector }),
  );
  return pods.items
    .map((p) => toPodView(p as LoosePod))
    .filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed' && !p.ready)
    .map((p) => p.nodeName);
}
