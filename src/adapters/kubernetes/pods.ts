/**
 * Pods: the node's pods (paginated, field-selected), policy/v1 eviction (201 Status =
 * evicted, 429 with a DisruptionBudget cause = blocked, 404 = gone), deletion, the wait until
 * pods are gone (a watch per namespace), and pods neither Running nor Succeeded.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { EvictionResult, PodRef, PodView, WaitOptions } from '../../ports/kubernetes.js';
import { apiStatus, isDisruptionBudgetRefusal, toDroverError } from './api-errors.js';
import type { KubeClient } from './client.js';
import { listAllPages } from './pages.js';
import { toPodView, type LoosePod } from './views.js';
import { waitWithWatch, type WatchedObject } from './watch-wait.js';

async function listAllPods(
  client: KubeClient,
  fieldSelector: string,
  what: string,
): Promise<PodView[]> {
  const pods = await listAllPages<V1Pod>(client, what, (page) =>
    client.core.listPodForAllNamespaces({ fieldSelector, ...page }),
  );
  return pods.map((p) => toPodView(p as LoosePod));
}

export function listPodsOnNode(client: KubeClient, nodeName: string): Promise<PodView[]> {
  return listAllPods(client, `spec.nodeName=${nodeName}`, `LIST pods on node ${nodeName}`);
}

export function problemPods(client: KubeClient): Promise<PodView[]> {
  // Finished pods (Succeeded, Failed: CronJob history, evicted pods) are history, not problems.
  return listAllPods(
    client,
    'status.phase!=Running,status.phase!=Succeeded,status.phase!=Failed',
    'LIST problem pods',
  );
}

export async function evictPod(client: KubeClient, pod: PodRef): Promise<EvictionResult> {
  const operation = `POST eviction ${pod.namespace}/${pod.name}`;
  client.counted();
  try {
    await client.core.createNamespacedPodEviction({
      name: pod.name,
      namespace: pod.namespace,
      body: {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: pod.name, namespace: pod.namespace },
      },
    });
    return { outcome: 'evicted' };
  } catch (error) {
    const status = apiStatus(error);
    if (status.code === 404) return { outcome: 'gone' };
    if (isDisruptionBudgetRefusal(status)) {
      const cause = status.causes.find((c) => c.reason === 'DisruptionBudget');
      return {
        outcome: 'blocked',
        reason: cause?.message ?? status.message,
        ...(status.retryAfterSeconds !== undefined
          ? { retryAfterSeconds: status.retryAfterSeconds }
          : {}),
      };
    }
    throw toDroverError(error, operation, client.redactor, client.origin);
  }
}

export async function deletePod(
  client: KubeClient,
  pod: PodRef,
  gracePeriodSeconds?: number,
): Promise<void> {
  try {
    await client.write(`DELETE pod ${pod.namespace}/${pod.name}`, () =>
      client.core.deleteNamespacedPod({
        name: pod.name,
        namespace: pod.namespace,
        ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
      }),
    );
  } catch (error) {
    // Already gone is what the caller wanted.
    if ((error as { details?: { status?: number } }).details?.status !== 404) throw error;
  }
}

export async function waitForPodsGone(
  client: KubeClient,
  pods: PodRef[],
  options: WaitOptions,
): Promise<void> {
  if (pods.length === 0) return;
  const byNamespace = new Map<string, PodRef[]>();
  for (const p of pods) byNamespace.set(p.namespace, [...(byNamespace.get(p.namespace) ?? []), p]);
  const shared = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, shared.signal]) : shared.signal;
  const waits = [...byNamespace].map(([namespace, refs]) => {
    const only = refs.length === 1 ? refs[0] : undefined;
    const fieldSelector = only ? `metadata.name=${only.name}` : '';
    const query: Record<string, string> = fieldSelector ? { fieldSelector } : {};
    return waitWithWatch<true>({
      client,
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
      query,
      list: async () => {
        const list = await client.core.listNamespacedPod({
          namespace,
          ...(fieldSelector ? { fieldSelector } : {}),
        });
        return {
          items: list.items as WatchedObject[],
          resourceVersion: list.metadata?.resourceVersion ?? '',
        };
      },
      check: (objects) => {
        const remaining = refs.filter((ref) => {
          const found = objects.get(`${namespace}/${ref.name}`) as V1Pod | undefined;
          return found !== undefined && (ref.uid === undefined || found.metadata?.uid === ref.uid);
        });
        return remaining.length === 0 ? true : undefined;
      },
      timeoutMs: options.timeoutMs,
      signal,
      what: `${refs.length} pod(s) in ${namespace} to be gone`,
    });
  });
  try {
    await Promise.all(waits);
  } finally {
    shared.abort();
  }
}
