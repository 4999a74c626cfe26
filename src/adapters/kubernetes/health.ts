/**
 * Health reads: workload availability with the nodes of its ready pods, Rook CephCluster
 * health (absent resource or field = undefined), Flux HelmRelease readiness (Ready condition
 * and observedGeneration == generation), generic reads for custom gates, and /readyz.
 */
import { Health, type V1LabelSelector } from '@kubernetes/client-node';
import {
  STORAGE_HEALTH,
  type CephClusterStatus,
  type HelmReleaseStatus,
  type StorageHealth,
  type WorkloadStatus,
} from '../../ports/kubernetes.js';
import { readOptional, type KubeClient } from './client.js';
import { rawGet } from './raw-get.js';
import { toPodView, type LoosePod } from './views.js';

export async function deploymentStatus(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<WorkloadStatus | undefined> {
  const d = await readOptional(client, `GET deployment ${namespace}/${name}`, () =>
    client.apps.readNamespacedDeployment({ name, namespace }),
  );
  if (!d) return undefined;
  return {
    namespace,
    name,
    desired: d.spec?.replicas ?? 1,
    available: d.status?.availableReplicas ?? 0,
    generation: d.metadata?.generation,
    observedGeneration: d.status?.observedGeneration,
    readyNodes: await readyNodes(client, namespace, d.spec?.selector),
  };
}

export async function daemonSetStatus(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<WorkloadStatus | undefined> {
  const ds = await readOptional(client, `GET daemonset ${namespace}/${name}`, () =>
    client.apps.readNamespacedDaemonSet({ name, namespace }),
  );
  if (!ds) return undefined;
  return {
    namespace,
    name,
    desired: ds.status?.desiredNumberScheduled ?? 0,
    available: ds.status?.numberAvailable ?? 0,
    generation: ds.metadata?.generation,
    observedGeneration: ds.status?.observedGeneration,
    readyNodes: await readyNodes(client, namespace, ds.spec?.selector),
  };
}

async function readyNodes(
  client: KubeClient,
  namespace: string,
  selector: V1LabelSelector | undefined,
): Promise<string[]> {
  const labelSelector = selectorString(selector);
  const pods = await client.read(`LIST pods ${namespace} ${labelSelector}`, () =>
    client.core.listNamespacedPod({ namespace, labelSelector }),
  );
  const nodes = new Set<string>();
  for (const p of pods.items.map((x) => toPodView(x as LoosePod)))
    if (p.ready && p.phase === 'Running' && !p.deleting && p.nodeName) nodes.add(p.nodeName);
  return [...nodes].sort();
}

export function selectorString(selector: V1LabelSelector | undefined): string {
  const terms = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') terms.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') terms.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') terms.push(e.key);
    else if (e.operator === 'DoesNotExist') terms.push(`!${e.key}`);
  }
  return terms.join(',');
}

export async function cephHealth(client: KubeClient): Promise<StorageHealth | undefined> {
  return (await cephStatus(client))?.health;
}

/**
 * The first CephCluster's status.ceph (Rook writes health, details{check: {severity, message}}
 * and lastChecked in RFC 3339 on every health poll); undefined when there is none.
 */
export async function cephStatus(client: KubeClient): Promise<CephClusterStatus | undefined> {
  const list = (await client.read('LIST cephclusters', () =>
    client.custom.listClusterCustomObject({
      group: 'ceph.rook.io',
      version: 'v1',
      plural: 'cephclusters',
    }),
  )) as { items?: { status?: { ceph?: LooseCephStatus } }[] };
  const ceph = list.items?.[0]?.status?.ceph;
  return ceph === undefined ? undefined : toCephClusterStatus(ceph);
}

export interface LooseCephStatus {
  health?: string;
  details?: Record<string, { severity?: string; message?: string }>;
  lastChecked?: string;
}

export function toCephClusterStatus(ceph: LooseCephStatus): CephClusterStatus {
  const health = (STORAGE_HEALTH as readonly string[]).includes(ceph.health ?? '')
    ? (ceph.health as StorageHealth)
    : undefined;
  const checks: CephClusterStatus['checks'] = {};
  for (const [name, d] of Object.entries(ceph.details ?? {}))
    checks[name] = { severity: d.severity ?? '', message: d.message ?? '' };
  const at = typeof ceph.lastChecked === 'string' ? Date.parse(ceph.lastChecked) : Number.NaN;
  return { health, checks, lastChecked: Number.isNaN(at) ? undefined : at };
}

export async function helmReleases(client: KubeClient): Promise<HelmReleaseStatus[]> {
  const list = (await client.read('LIST helmreleases', () =>
    client.custom.listClusterCustomObject({
      group: 'helm.toolkit.fluxcd.io',
      version: 'v2',
      plural: 'helmreleases',
    }),
  )) as {
    items?: {
      metadata?: { name?: string; namespace?: string; generation?: number };
      status?: {
        observedGeneration?: number;
        conditions?: { type?: string; status?: string; reason?: string }[];
      };
    }[];
  };
  return (list.items ?? []).map((hr) => {
    const ready = hr.status?.conditions?.find((c) => c.type === 'Ready');
    const observed = hr.status?.observedGeneration === hr.metadata?.generation;
    return {
      namespace: hr.metadata?.namespace ?? '',
      name: hr.metadata?.name ?? '',
      ready: ready?.status === 'True' && observed,
      reason: !ready
        ? 'NoReadyCondition'
        : !observed
          ? 'ProgressingGeneration'
          : (ready.reason ?? ready.status ?? ''),
    };
  });
}

export async function getResource(
  client: KubeClient,
  apiVersion: string,
  plural: string,
  namespace: string | undefined,
  name: string,
): Promise<Record<string, unknown> | undefined> {
  const what = `GET ${plural} ${namespace ? `${namespace}/` : ''}${name}`;
  const slash = apiVersion.indexOf('/');
  if (slash < 0) {
    const path = `/api/${apiVersion}/${namespace ? `namespaces/${encodeURIComponent(namespace)}/` : ''}${plural}/${encodeURIComponent(name)}`;
    return readOptional(client, what, () => rawGet(client.kc, path));
  }
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  return readOptional(client, what, () =>
    namespace
      ? (client.custom.getNamespacedCustomObject({
          group,
          version,
          namespace,
          plural,
          name,
        }) as Promise<Record<string, unknown>>)
      : (client.custom.getClusterCustomObject({ group, version, plural, name }) as Promise<
          Record<string, unknown>
        >),
  );
}

export async function apiServerReady(client: KubeClient): Promise<boolean> {
  client.counted();
  try {
    return await new Health(client.kc).readyz({ timeout: 5000 });
  } catch {
    return false;
  }
}
