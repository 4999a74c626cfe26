/**
 * KubernetesPort over the KubeStore, with a real API server's semantics: eviction and deletion
 * through the same store-level functions the fake HTTP server uses, waits driven by store events
 * (no polling) with deadlines on the virtual clock. The operations live in ./kubernetes/.
 */
import type {
  CephClusterStatus,
  WorkloadAvailability,
  EvictionResult,
  HelmReleaseStatus,
  LeasePort,
  LeaseRecord,
  NodesPort,
  NodeView,
  PodRef,
  PodView,
  StorageHealth,
  StorageHealthPort,
  WaitOptions,
  WorkloadHealthPort,
  WorkloadStatus,
} from '../../../ports/kubernetes.js';
import type { CephPoolSpecReading } from '../../../core/pool-tolerance.js';
import type { World } from '../world/world.js';
import {
  apiServerReady,
  cephHealth,
  cephPools,
  cephStatus,
  daemonSetStatus,
  deploymentStatus,
  getResource,
  helmReleases,
  problemPods,
  workloadAvailability,
} from './kubernetes/health-reads.js';
import { createLease, getLease, updateLease } from './kubernetes/leases.js';
import { cordon, getNode, listNodes, uncordon, waitForNode } from './kubernetes/node-operations.js';
import {
  deletePod,
  evictPod,
  listPodsOnNode,
  waitForPodsGone,
} from './kubernetes/pod-operations.js';

/** One object in every role (the KubernetesPort the wiring hands out). */
export class SimulatedKubernetesPort
  implements NodesPort, WorkloadHealthPort, StorageHealthPort, LeasePort
{
  constructor(private readonly world: World) {}

  getNode(name: string): Promise<NodeView | undefined> {
    return getNode(this.world, name);
  }

  listNodes(): Promise<NodeView[]> {
    return listNodes(this.world);
  }

  cordon(name: string): Promise<void> {
    return cordon(this.world, name);
  }

  uncordon(name: string): Promise<void> {
    return uncordon(this.world, name);
  }

  waitForNode(
    name: string,
    predicate: (node: NodeView | undefined) => boolean,
    options: WaitOptions,
  ): Promise<NodeView | undefined> {
    return waitForNode(this.world, name, predicate, options);
  }

  listPodsOnNode(nodeName: string): Promise<PodView[]> {
    return listPodsOnNode(this.world, nodeName);
  }

  evictPod(pod: PodRef): Promise<EvictionResult> {
    return evictPod(this.world, pod);
  }

  deletePod(pod: PodRef, gracePeriodSeconds?: number): Promise<void> {
    return deletePod(this.world, pod, gracePeriodSeconds);
  }

  waitForPodsGone(pods: PodRef[], options: WaitOptions): Promise<void> {
    return waitForPodsGone(this.world, pods, options);
  }

  deploymentStatus(namespace: string, name: string): Promise<WorkloadStatus | undefined> {
    return deploymentStatus(this.world, namespace, name);
  }

  daemonSetStatus(namespace: string, name: string): Promise<WorkloadStatus | undefined> {
    return daemonSetStatus(this.world, namespace, name);
  }

  cephHealth(): Promise<StorageHealth | undefined> {
    return cephHealth(this.world);
  }

  cephStatus(): Promise<CephClusterStatus | undefined> {
    return cephStatus(this.world);
  }

  cephPools(): Promise<CephPoolSpecReading[]> {
    return cephPools(this.world);
  }

  workloadAvailability(): Promise<WorkloadAvailability[]> {
    return workloadAvailability(this.world);
  }

  helmReleases(): Promise<HelmReleaseStatus[]> {
    return helmReleases(this.world);
  }

  problemPods(): Promise<PodView[]> {
    return problemPods(this.world);
  }

  getResource(
    apiVersion: string,
    plural: string,
    namespace: string | undefined,
    name: string,
  ): Promise<Record<string, unknown> | undefined> {
    return getResource(this.world, apiVersion, plural, namespace, name);
  }

  apiServerReady(): Promise<boolean> {
    return apiServerReady(this.world);
  }

  getLease(namespace: string, name: string): Promise<LeaseRecord | undefined> {
    return getLease(this.world, namespace, name);
  }

  createLease(lease: Omit<LeaseRecord, 'resourceVersion'>): Promise<LeaseRecord> {
    return createLease(this.world, lease);
  }

  updateLease(lease: LeaseRecord): Promise<LeaseRecord> {
    return updateLease(this.world, lease);
  }
}

export { microTime, toNodeView, toPodView } from './kube-views.js';
