/**
 * Pods on a node, eviction and deletion through the same store-level functions the fake HTTP
 * server uses (PDBs, uid preconditions, grace periods), and waiting for pods to be gone.
 */
import { DroverError } from '../../../../core/errors.js';
import type { EvictionResult, PodRef, PodView, WaitOptions } from '../../../../ports/kubernetes.js';
import { evictPod as evictInStore } from '../../kube/eviction.js';
import { deletePod as deleteInStore } from '../../kube/pods.js';
import { R } from '../../world/objects.js';
import type { World } from '../../world/world.js';
import { toPodView } from '../kube-views.js';
import { waitFor } from './wait-for.js';

export async function listPodsOnNode(world: World, nodeName: string): Promise<PodView[]> {
  // From the world's pod index, in the store's list order: the engine's capacity check reads
  // every worker's pods per scheduling round, and filtering the cluster's pods per node made
  // that round cost N x pods (issue #15).
  return world.pods.onNodeInListOrder(nodeName).map(toPodView);
}

export async function evictPod(world: World, pod: PodRef): Promise<EvictionResult> {
  world.failIfScripted('drain', podNode(world, pod));
  const body = {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: pod.name, namespace: pod.namespace },
    ...(pod.uid ? { deleteOptions: { preconditions: { uid: pod.uid } } } : {}),
  };
  if (pod.uid) {
    const current = world.store.getView(R.pods, pod.namespace, pod.name);
    if (current && current.metadata.uid !== pod.uid) return { outcome: 'gone' };
  }
  const result = evictInStore(world.store, pod.namespace, pod.name, body, world.now);
  if (result.code === 201 || result.code === 200) return { outcome: 'evicted' };
  if (result.code === 404) return { outcome: 'gone' };
  if (result.code === 429) {
    const details = (result.body.details ?? {}) as {
      causes?: { message?: string }[];
      retryAfterSeconds?: number;
    };
    return {
      outcome: 'blocked',
      reason: details.causes?.[0]?.message ?? String(result.body.message ?? 'TooManyRequests'),
      ...(details.retryAfterSeconds ? { retryAfterSeconds: details.retryAfterSeconds } : {}),
    };
  }
  throw apiError(result, `evicting ${pod.namespace}/${pod.name}`);
}

export async function deletePod(
  world: World,
  pod: PodRef,
  gracePeriodSeconds?: number,
): Promise<void> {
  if (pod.uid) {
    const current = world.store.getView(R.pods, pod.namespace, pod.name);
    if (current && current.metadata.uid !== pod.uid) return;
  }
  const result = deleteInStore(world.store, pod.namespace, pod.name, gracePeriodSeconds, world.now);
  if (result.code >= 300 && result.code !== 404)
    throw apiError(result, `deleting ${pod.namespace}/${pod.name}`);
}

export function waitForPodsGone(world: World, pods: PodRef[], options: WaitOptions): Promise<void> {
  const gone = (p: PodRef) => {
    const obj = world.store.getView(R.pods, p.namespace, p.name);
    return !obj || (p.uid !== undefined && obj.metadata.uid !== p.uid);
  };
  return waitFor(
    world,
    `${pods.length} pod(s) to terminate`,
    (e) => e === undefined || e.resource === R.pods,
    () => (pods.every(gone) ? { value: undefined } : undefined),
    options,
  );
}

function podNode(world: World, pod: PodRef): string | undefined {
  const obj = world.store.getView(R.pods, pod.namespace, pod.name);
  return typeof obj?.spec?.nodeName === 'string' ? obj.spec.nodeName : undefined;
}

function apiError(
  status: { code: number; body: Record<string, unknown> },
  what: string,
): DroverError {
  const message =
    typeof status.body.message === 'string' ? status.body.message : `HTTP ${status.code}`;
  // The codes the real adapter gives (adapters/kubernetes/api-errors.ts): a pod under two
  // PDBs is a 500 the server repeats forever, not a retryable one.
  const repeats = /more than one PodDisruptionBudget/.test(message);
  const code =
    status.code === 401 || status.code === 403
      ? 'KUBE_FORBIDDEN'
      : (status.code >= 500 && !repeats) || status.code === 429
        ? 'KUBE_UNAVAILABLE'
        : 'KUBE_REQUEST_FAILED';
  return new DroverError('failed', code, `${what}: ${message}`, {
    details: { status: status.code, reason: status.body.reason },
  });
}
