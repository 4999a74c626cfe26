/**
 * The Kubernetes port over @kubernetes/client-node 1.4: one KubeConfig, typed APIs, watches
 * for waits, retries for reads. `requestCount()` counts HTTP requests made (watches count once
 * per (re-)establishment); `close()` ends open watches.
 */
import type { Clock } from '../../ports/clock.js';
import type { KubernetesPort } from '../../ports/kubernetes.js';
import type { Redactor } from '../../core/redact.js';
import { cephPools } from './ceph-pools.js';
import { KubeClient } from './client.js';
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
  return {
    getNode: (name) => getNode(client, name),
    listNodes: () => listNodes(client),
    cordon: (name) => setUnschedulable(client, name, true),
    uncordon: (name) => setUnschedulable(client, name, false),
    waitForNode: (name, predicate, wait) => waitForNode(client, name, predicate, wait),
    listPodsOnNode: (node) => listPodsOnNode(client, node),
    evictPod: (pod) => evictPod(client, pod),
    deletePod: (pod, grace) => deletePod(client, pod, grace),
    waitForPodsGone: (pods, wait) => waitForPodsGone(client, pods, wait),
    deploymentStatus: (ns, name) => deploymentStatus(client, ns, name),
    daemonSetStatus: (ns, name) => daemonSetStatus(client, ns, name),
    cephHealth: () => cephHealth(client),
    cephStatus: () => cephStatus(client),
    cephPools: () => cephPools(client),
    workloadAvailability: () => workloadAvailability(client),
    helmReleases: () => helmReleases(client),
    problemPods: () => problemPods(client),
    getResource: (apiVersion, plural, ns, name) =>
      getResource(client, apiVersion, plural, ns, name),
    apiServerReady: () => apiServerReady(client),
    getLease: (ns, name) => getLease(client, ns, name),
    createLease: (lease) => createLease(client, lease),
    updateLease: (lease) => updateLease(client, lease),
    requestCount: () => client.requestCount,
    close: () => client.close(),
  };
}
