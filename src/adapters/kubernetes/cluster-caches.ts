/**
 * The watch caches the gates read (an informer per collection: nodes, pods, Deployments,
 * StatefulSets, DaemonSets), each started by its first read. The CephCluster is not cached: the
 * gate judges it by the status's own lastChecked, and the simulated Rook operator writes that
 * status when it is read (store.onRead), which a watch never does.
 */
import type {
  V1DaemonSet,
  V1Deployment,
  V1Node,
  V1Pod,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { KubeClient } from './client.js';
import { PAGE_SIZE } from './pages.js';
import { WatchCache } from './watch-cache.js';
import type { WatchedObject } from './watch-stream.js';

type Page = { limit: number; _continue: string | undefined };
type ListOf<T> = { items: T[]; metadata?: { resourceVersion?: string; _continue?: string } };

/**
 * Every page (limit + continue, as pages.ts), with the first page's resourceVersion: the list's
 * snapshot. The list-watch loop counts and retries the list as one read; pages past the first
 * are counted here.
 */
function paged<T extends WatchedObject>(
  client: KubeClient,
  fetchPage: (page: Page) => Promise<ListOf<T>>,
): () => Promise<{ items: WatchedObject[]; resourceVersion: string }> {
  return async () => {
    const items: WatchedObject[] = [];
    let resourceVersion: string | undefined;
    let next: string | undefined;
    do {
      if (resourceVersion !== undefined) client.counted();
      const answer = await fetchPage({ limit: PAGE_SIZE, _continue: next });
      resourceVersion ??= answer.metadata?.resourceVersion ?? '';
      items.push(...answer.items);
      next = answer.metadata?._continue || undefined;
    } while (next);
    return { items, resourceVersion: resourceVersion ?? '' };
  };
}

export class ClusterCaches {
  readonly nodes: WatchCache;
  readonly pods: WatchCache;
  readonly deployments: WatchCache;
  readonly statefulsets: WatchCache;
  readonly daemonsets: WatchCache;

  constructor(client: KubeClient) {
    const { core, apps } = client;
    this.nodes = new WatchCache(client, {
      path: '/api/v1/nodes',
      what: 'nodes (cache)',
      list: paged<V1Node>(client, (p) => core.listNode(p)),
    });
    this.pods = new WatchCache(client, {
      path: '/api/v1/pods',
      what: 'pods (cache)',
      list: paged<V1Pod>(client, (p) => core.listPodForAllNamespaces(p)),
    });
    this.deployments = new WatchCache(client, {
      path: '/apis/apps/v1/deployments',
      what: 'deployments (cache)',
      list: paged<V1Deployment>(client, (p) => apps.listDeploymentForAllNamespaces(p)),
    });
    this.statefulsets = new WatchCache(client, {
      path: '/apis/apps/v1/statefulsets',
      what: 'statefulsets (cache)',
      list: paged<V1StatefulSet>(client, (p) => apps.listStatefulSetForAllNamespaces(p)),
    });
    this.daemonsets = new WatchCache(client, {
      path: '/apis/apps/v1/daemonsets',
      what: 'daemonsets (cache)',
      list: paged<V1DaemonSet>(client, (p) => apps.listDaemonSetForAllNamespaces(p)),
    });
  }

  close(): void {
    for (const c of [this.nodes, this.pods, this.deployments, this.statefulsets, this.daemonsets])
      c.close();
  }
}
