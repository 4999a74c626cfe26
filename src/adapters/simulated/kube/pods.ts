/**
 * Pod deletion with the API server's graceful semantics (pod strategy CheckGracefulDelete):
 * a running pod only gets metadata.deletionTimestamp = now + grace and
 * deletionGracePeriodSeconds, and the simulated kubelet removes it once it has stopped; grace 0,
 * and pods that never ran (unscheduled, Pending) or have finished, are removed at once.
 * Answers like DELETE /api/v1/namespaces/{ns}/pods/{name}: 200 with the pod, or a 404 Status.
 */
import type { KubeObject, KubeStore } from './store.js';
import { iso } from './store.js';
import { notFound } from './http/status.js';

const DEFAULT_GRACE_SECONDS = 30;

export function deletePod(
  store: KubeStore,
  namespace: string,
  name: string,
  gracePeriodSeconds: number | undefined,
  nowMs: number,
): { code: number; body: Record<string, unknown> } {
  const pod = store.get('pods', namespace, name);
  if (!pod) return notFound('pods', name);
  const spec = pod.spec ?? {};
  const phase = podPhase(pod);
  let grace =
    gracePeriodSeconds ??
    (typeof spec.terminationGracePeriodSeconds === 'number'
      ? spec.terminationGracePeriodSeconds
      : DEFAULT_GRACE_SECONDS);
  if (grace < 0) grace = 0;
  const neverRan = !spec.nodeName || phase === 'Pending';
  const finished = phase === 'Succeeded' || phase === 'Failed';
  if (grace === 0 || neverRan || finished) {
    return { code: 200, body: store.delete('pods', namespace, name) as Record<string, unknown> };
  }
  const existing = pod.metadata.deletionGracePeriodSeconds;
  // A second delete may shorten a pending graceful deletion, never lengthen it.
  if (pod.metadata.deletionTimestamp && typeof existing === 'number' && existing <= grace) {
    return { code: 200, body: pod as Record<string, unknown> };
  }
  const updated = store.mutate(
    'pods',
    namespace,
    name,
    (p) => {
      p.metadata.deletionTimestamp = iso(nowMs + grace * 1000);
      p.metadata.deletionGracePeriodSeconds = grace;
    },
    { bumpGeneration: true },
  );
  return { code: 200, body: updated as Record<string, unknown> };
}

export function podPhase(pod: KubeObject): string {
  const phase = pod.status?.phase;
  return typeof phase === 'string' ? phase : 'Pending';
}

/** The pod's Ready condition is True. */
export function podReady(pod: KubeObject): boolean {
  const conditions = pod.status?.conditions;
  if (!Array.isArray(conditions)) return false;
  return conditions.some(
    (c: { type?: string; status?: string }) => c.type === 'Ready' && c.status === 'True',
  );
}
