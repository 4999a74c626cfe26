/**
 * The pods/eviction subresource with the real API server's checks, in its order
 * (k8s pkg/registry/core/pod/storage/eviction.go; docs/kubernetes.md, "Testing against a fake API server"):
 * name check, 404, terminal/pending/deleting pods bypass PDBs, >1 PDB is a 500 without reason,
 * unhealthy-pod policy, then observedGeneration (429 + Retry-After 10), negative budget (403),
 * zero budget (429, no Retry-After); else the budget is spent in the PDB status at once and the
 * pod is deleted gracefully: 201 with a Success Status.
 */
import type { KubeObject, KubeStore } from './store.js';
import { iso, StoreError } from './store.js';
import { deletePod, podPhase, podReady } from './pods.js';
import { selectorMatches, type LabelSelectorObject } from './http/label-selector.js';
import {
  badRequest,
  notFound,
  statusFailure,
  statusSuccess,
  type StatusResponse,
} from './http/status.js';

export const PDB_RESOURCE = 'policy/poddisruptionbudgets';
const MAX_DISRUPTED_PODS = 2000;
const BUDGET_MESSAGE = "Cannot evict pod as it would violate the pod's disruption budget.";

interface EvictionBody {
  metadata?: { name?: string; namespace?: string };
  deleteOptions?: { gracePeriodSeconds?: number };
}

interface PdbStatus {
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
}

export function evictPod(
  store: KubeStore,
  namespace: string,
  name: string,
  body: unknown,
  nowMs: number,
): { code: number; body: Record<string, unknown> } {
  const eviction = (body && typeof body === 'object' ? body : {}) as EvictionBody;
  const invalid = invalidEviction(eviction, namespace, name);
  if (invalid) return invalid;
  const pod = store.get('pods', namespace, name);
  if (!pod) return notFound('pods', name);
  const grace = eviction.deleteOptions?.gracePeriodSeconds;
  if (bypassesBudgets(pod)) return deleted(store, pod, grace, nowMs);
  const pdbs = store
    .list(PDB_RESOURCE, namespace)
    .filter((pdb) =>
      selectorMatches(pdb.spec?.selector as LabelSelectorObject | undefined, pod.metadata.labels),
    );
  if (pdbs.length > 1) {
    return statusFailure(
      500,
      undefined,
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  }
  const pdb = pdbs[0];
  if (!pdb) return deleted(store, pod, grace, nowMs);
  const status = (pdb.status ?? {}) as PdbStatus;
  if (!podReady(pod) && unhealthyPodMayGo(pdb, status)) return deleted(store, pod, grace, nowMs);
  const refused = budgetRefusal(pdb, status) ?? spendBudget(store, pdb, status, name, nowMs);
  return refused ?? deleted(store, pod, grace, nowMs);
}

/** The Eviction object must name the pod of the URL (and its namespace, if it gives one). */
function invalidEviction(
  eviction: EvictionBody,
  namespace: string,
  name: string,
): StatusResponse | undefined {
  if (eviction.metadata?.name !== name) {
    return badRequest('name in URL does not match name in Eviction object');
  }
  if (eviction.metadata.namespace && eviction.metadata.namespace !== namespace) {
    return badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  return undefined;
}

/** A terminal, pending or already deleting pod is deleted without asking any budget. */
function bypassesBudgets(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return (
    phase === 'Succeeded' ||
    phase === 'Failed' ||
    phase === 'Pending' ||
    !!pod.metadata.deletionTimestamp
  );
}

/** unhealthyPodEvictionPolicy: AlwaysAllow, or IfHealthyBudget with the budget healthy. */
function unhealthyPodMayGo(pdb: KubeObject, status: PdbStatus): boolean {
  const policy = pdb.spec?.unhealthyPodEvictionPolicy;
  const healthyEnough =
    (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) &&
    (status.desiredHealthy ?? 0) > 0;
  return policy === 'AlwaysAllow' || healthyEnough;
}

/** The budget says no: not yet observed (429, retry in 10 s), negative or full (403), zero (429). */
function budgetRefusal(pdb: KubeObject, status: PdbStatus): StatusResponse | undefined {
  const pdbName = pdb.metadata.name;
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 1)) {
    return tooManyRequests(
      `The disruption budget ${pdbName} is still being processed by the server.`,
      10,
    );
  }
  const allowed = status.disruptionsAllowed ?? 0;
  const disrupted = status.disruptedPods ?? {};
  if (allowed < 0) return forbidden(pdbName, 'pdb disruptions allowed is negative');
  if (Object.keys(disrupted).length > MAX_DISRUPTED_PODS) {
    return forbidden(
      pdbName,
      'DisruptedPods map too big - too many evictions not confirmed by PDB controller',
    );
  }
  if (allowed === 0) {
    return tooManyRequests(
      `The disruption budget ${pdbName} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
      0,
    );
  }
  return undefined;
}

/** Spends one disruption in the PDB status at once (a clash with another write is a 429). */
function spendBudget(
  store: KubeStore,
  pdb: KubeObject,
  status: PdbStatus,
  name: string,
  nowMs: number,
): StatusResponse | undefined {
  try {
    store.update(
      PDB_RESOURCE,
      {
        ...pdb,
        status: {
          ...status,
          disruptionsAllowed: (status.disruptionsAllowed ?? 0) - 1,
          disruptedPods: { ...(status.disruptedPods ?? {}), [name]: iso(nowMs) },
        },
      },
      { expectedResourceVersion: pdb.metadata.resourceVersion },
    );
  } catch (error) {
    // The real server retries the PDB write a few times; a clash here is a transient 429.
    if (error instanceof StoreError && error.code === 409) {
      return tooManyRequests(
        `The disruption budget ${pdb.metadata.name} is still being processed by the server.`,
        10,
      );
    }
    throw error;
  }
  return undefined;
}

function deleted(
  store: KubeStore,
  pod: KubeObject,
  grace: number | undefined,
  nowMs: number,
): StatusResponse {
  const { namespace = '', name } = pod.metadata;
  if (!pod.metadata.deletionTimestamp) markDisruptionTarget(store, namespace, name, nowMs);
  const result = deletePod(store, namespace, name, grace, nowMs);
  if (result.code >= 300) return result;
  return statusSuccess(201);
}

function markDisruptionTarget(
  store: KubeStore,
  namespace: string,
  name: string,
  nowMs: number,
): void {
  const pod = store.get('pods', namespace, name);
  if (!pod || podPhase(pod) !== 'Running') return;
  store.mutate('pods', namespace, name, (p) => {
    const status = (p.status ??= {});
    const conditions = Array.isArray(status.conditions) ? status.conditions : [];
    status.conditions = [
      ...conditions.filter((c: { type?: string }) => c.type !== 'DisruptionTarget'),
      {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'EvictionByEvictionAPI',
        message: 'Eviction API: evicting',
        lastTransitionTime: iso(nowMs),
      },
    ];
  });
}

function tooManyRequests(cause: string, retryAfterSeconds: number): StatusResponse {
  return statusFailure(429, 'TooManyRequests', BUDGET_MESSAGE, {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
    ...(retryAfterSeconds > 0 ? { retryAfterSeconds } : {}),
  });
}

function forbidden(pdbName: string, why: string): StatusResponse {
  return statusFailure(
    403,
    'Forbidden',
    `poddisruptionbudget.policy "${pdbName}" is forbidden: ${why}`,
    { name: pdbName, group: 'policy', kind: 'poddisruptionbudget' },
  );
}
