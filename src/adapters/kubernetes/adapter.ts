/**
 * The Kubernetes port over @kubernetes/client-node 1.4: one KubeConfig, typed APIs, watches
 * for waits, watch caches for the gates' reads (`cached: true`), retries for reads. `requestCount()` counts HTTP requests made (watches count once
 * per (re-)establishment); `close()` ends open watches.
 */
import type { Clock } from '../../ports/clock.js';
import type { KubernetesPort } from '../../ports/kubernetes.js';
import type { Redactor } from '../../core/redact.js';
import {
  cachedNode,
  cachedNodes,
  cachedPodsOnNode,
  cachedProblemPods,
  cachedWorkloadAvailability,
  cachedWorkloadStatus,
} from './cached-reads.js';
import { cephPools } from './ceph-pools.js';
import { KubeClient } from './client.js';
import { ClusterCaches } from './cluster-caches.js';
import {
  apiServerReady,
  cephHealth,
  cephStatus,
  daemonSetStatus,
  deploymentStatus,
  getResource,
  helmReleases,
} from './health.js';
import { loadKubeConfigWithOrigin, type KubeconfigSource } from './kubeconfig.js';
import { createLease, getLease, updateLease } from './leases.js';
import { getNode, listNodes, setUnschedulable, waitForNode } from './nodes.js';
import { workloadAvailability } from './workloads.js';
import { deletePod, evictPod, listPodsOnNode, problemPods, waitForPodsGone } from './pods.js';

export type KubernetesAdapter = KubernetesPort & { requestCount(): number; close(): void };

export function createKubernetesAdapter(
  options: KubeconfigSource & { clock: Clock; redactor?: Redactor },
): KubernetesAdapter {
  const { kc, origin } = loadKubeConfigWithOrigin(options, options.redactor);
  const client = new KubeClient(kc, options.clock, options.redactor, origin);
  // Gates' reads (`cached: true`) come from watch caches; every other read goes to the server.
  const caches = new ClusterCaches(client);
  return {
    getNode: (name, read) => (read?.cached ? cachedNode(caches, name) : getNode(client, name)),
    listNodes: (read) => (read?.cached ? cachedNodes(caches) : listNodes(client)),
    cordon: (name) => setUnschedulable(client, name, true),
    uncordon: (name) => setUnschedulable(client, name, false),
    waitForNode: (name, predicate, wait) => waitForNode(client, name, predicate, wait),
    listPodsOnNode: (node, read) =>
      read?.cached ? cachedPodsOnNode(caches, node) : listPodsOnNode(client, node),
    evictPod: (pod) => evictPod(client, pod),
    deletePod: (pod, grace) => deletePod(client, pod, grace),
    waitForPodsGone: (pods, wait) => waitForPodsGone(client, pods, wait),
    deploymentStatus: (ns, name, read) =>
      read?.cached
        ? cachedWorkloadStatus(caches, 'Deployment', ns, name)
        : deploymentStatus(client, ns, name),
    daemonSetStatus: (ns, name, read) =>
      read?.cached
        ? cachedWorkloadStatus(caches, 'DaemonSet', ns, name)
        : daemonSetStatus(client, ns, name),
    cephHealth: () => cephHealth(client),
    cephStatus: () => cephStatus(client),
    cephPools: () => cephPools(client),
    workloadAvailability: (read) =>
      read?.cached ? cachedWorkloadAvailability(caches) : workloadAvailability(client),
    helmReleases: () => helmReleases(client),
    problemPods: (read) => (read?.cached ? cachedProblemPods(caches) : problemPods(client)),
    getResource: (apiVersion, plural, ns, name) =>
      getResource(client, apiVersion, plural, ns, name),
    apiServerReady: () => apiServerReady(client),
    getLease: (ns, name) => getLease(client, ns, name),
    createLease: (lease) => createLease(client, lease),
    updateLease: (lease) => updateLease(client, lease),
    requestCount: () => client.requestCount,
    close: () => {
      caches.close();
      client.close();
    },
  };
}
