/**
 * The Kubernetes API, as Drover uses it. Implemented over @kubernetes/client-node
 * (adapters/kubernetes) and by the simulated cluster (adapters/simulated).
 * Reads that fail throw; callers treat a failed read as unknown, never as healthy.
 */
import type { WorkloadAvailabilityReading } from '../core/gates-workloads.js';
import type { Resources } from '../core/pod-requests.js';
import type { CephPoolSpecReading } from '../core/pool-tolerance.js';

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

export interface NodeView {
  name: string;
  /** Ready condition's status; a node without the condition is 'Unknown'. */
  ready: ConditionStatus;
  /** spec.unschedulable: cordoned. A cordoned node may well be Ready. */
  unschedulable: boolean;
  /** status.nodeInfo.osImage, e.g. `Talos (v1.10.8)`. */
  osImage: string;
  /** Talos version parsed from osImage without a leading v (e.g. 1.10.8), or undefined. */
  talosVersion: string | undefined;
  /** status.nodeInfo.kubeletVersion without a leading v. */
  kubeletVersion: string;
  /**
   * status.nodeInfo.systemUUID: the machine's SMBIOS UUID, new on every VM create (a Proxmox
   * VMID is not: a pinned vm_id keeps it). Evidence that a VM was really replaced.
   */
  systemUUID?: string;
  /** status.nodeInfo.bootID: new on every boot. */
  bootID?: string;
  labels: Record<string, string>;
  /** status.allocatable, quantity strings. */
  allocatable: Record<string, string>;
  resourceVersion: string;
}

export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
}

export interface PodView extends PodRef {
  uid: string;
  nodeName: string | undefined;
  phase: string;
  ready: boolean;
  /** Kind of the controlling owner (ReplicaSet, StatefulSet, DaemonSet, Job, Node for mirror pods). */
  controllerKind: string | undefined;
  mirror: boolean;
  usesEmptyDir: boolean;
  deleting: boolean;
  labels: Record<string, string>;
  /** Effective CPU/memory requests (core/pod-requests.ts); absent when the source has none. */
  requests?: Resources;
}

export const EVICTION_OUTCOMES = ['evicted', 'blocked', 'gone'] as const;
export type EvictionOutcome = (typeof EVICTION_OUTCOMES)[number];

export interface EvictionResult {
  outcome: EvictionOutcome;
  /** Why it was blocked (the PDB's message), for the report. */
  reason?: string;
  /** Server's Retry-After, when given. */
  retryAfterSeconds?: number;
}

export interface WorkloadStatus {
  namespace: string;
  name: string;
  desired: number;
  available: number;
  /** Nodes the workload's ready pods run on. */
  readyNodes: string[];
  /** metadata.generation and status.observedGeneration (counts are stale until they match). */
  generation?: number | undefined;
  observedGeneration?: number | undefined;
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** One workload's availability by its own status (never by pod phase): the gate's reading in core. */
export interface WorkloadAvailability extends WorkloadAvailabilityReading {
  kind: WorkloadKind;
}

/** Rook CephCluster status.ceph as the operator last wrote it. */
export interface CephClusterStatus {
  health: StorageHealth | undefined;
  /** status.ceph.details: check name to severity and summary message. */
  checks: Record<string, { severity: string; message: string }>;
  /** status.ceph.lastChecked, epoch ms (undefined when absent): staleness is judged from it. */
  lastChecked: number | undefined;
}

export const STORAGE_HEALTH = ['HEALTH_OK', 'HEALTH_WARN', 'HEALTH_ERR'] as const;
export type StorageHealth = (typeof STORAGE_HEALTH)[number];

export interface HelmReleaseStatus {
  namespace: string;
  name: string;
  ready: boolean;
  reason: string;
}

export interface LeaseRecord {
  namespace: string;
  name: string;
  holderIdentity: string | undefined;
  leaseDurationSeconds: number;
  /** Epoch milliseconds, parsed from MicroTime. */
  acquireTime: number | undefined;
  renewTime: number | undefined;
  leaseTransitions: number;
  resourceVersion: string;
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Nodes and drain: read and wait for nodes, cordon and uncordon, and empty a node of its pods.
 * Only the node cycle (cordon, drain, uncordon) and cleanup hold this role.
 */
export interface NodesPort extends NodeReadPort {
  cordon(name: string): Promise<void>;
  uncordon(name: string): Promise<void>;

  /** policy/v1 Eviction. A PDB refusal (429) is `blocked`, a missing pod is `gone`. */
  evictPod(pod: PodRef): Promise<EvictionResult>;
  deletePod(pod: PodRef, gracePeriodSeconds?: number): Promise<void>;
  /** Resolves once none of the pods exists any more (or exists with another uid). */
  waitForPodsGone(pods: PodRef[], options: WaitOptions): Promise<void>;
}

/** The reading half of the nodes role: what gates, pre-act checks and preflight may ask. */
export interface NodeReadPort {
  getNode(name: string): Promise<NodeView | undefined>;
  listNodes(): Promise<NodeView[]>;
  /**
   * Resolves with the node once `predicate` holds (checked on the current state first, then on
   * every change; a watch in the real adapter). Rejects with code WAIT_TIMEOUT past the deadline.
   */
  waitForNode(
    name: string,
    predicate: (node: NodeView | undefined) => boolean,
    options: WaitOptions,
  ): Promise<NodeView | undefined>;
  /** The pods bound to a node: the drain's list, and the capacity check's requests. */
  listPodsOnNode(nodeName: string): Promise<PodView[]>;
}

/** Workload health: what the health gates and custom gates read. Reads only. */
export interface WorkloadHealthPort {
  deploymentStatus(namespace: string, name: string): Promise<WorkloadStatus | undefined>;
  daemonSetStatus(namespace: string, name: string): Promise<WorkloadStatus | undefined>;
  /** Every Deployment, StatefulSet and DaemonSet in the cluster, by its own status. */
  workloadAvailability(): Promise<WorkloadAvailability[]>;
  helmReleases(): Promise<HelmReleaseStatus[]>;
  /** Pods stuck before running (neither Running nor finished: Pending, Unknown), cluster-wide. */
  problemPods(): Promise<PodView[]>;
  /** Generic read for custom gates: apiVersion like `ceph.rook.io/v1`, plural resource name. */
  getResource(
    apiVersion: string,
    plural: string,
    namespace: string | undefined,
    name: string,
  ): Promise<Record<string, unknown> | undefined>;
  /** GET /readyz (or equivalent): the API server answers ready. */
  apiServerReady(): Promise<boolean>;
}

/** Storage health as Rook reports it in the API (Ceph's own commands are StoragePort's). */
export interface StorageHealthPort {
  /** Rook CephCluster status.ceph.health; undefined when the resource or the field is absent. */
  cephHealth(): Promise<StorageHealth | undefined>;
  /** The CephCluster's status.ceph with its timestamp; undefined when absent. */
  cephStatus(): Promise<CephClusterStatus | undefined>;
  /**
   * The pools Rook declares (CephBlockPools, CephFilesystems' and CephObjectStores' pools,
   * core/rook-pools.ts), cluster-wide. Throws when any list fails (RBAC 403 included): an
   * unread pool is unknown, never "no pools".
   */
  cephPools(): Promise<CephPoolSpecReading[]>;
}

/** The Lease record under the lock adapter; the engine takes the lock through LockPort only. */
export interface LeasePort {
  getLease(namespace: string, name: string): Promise<LeaseRecord | undefined>;
  /** Creates the lease; rejects with code LEASE_CONFLICT when it already exists. */
  createLease(lease: Omit<LeaseRecord, 'resourceVersion'>): Promise<LeaseRecord>;
  /** Replaces the lease at `lease.resourceVersion`; rejects with LEASE_CONFLICT on a stale version. */
  updateLease(lease: LeaseRecord): Promise<LeaseRecord>;
}

/**
 * The whole API as the adapters (the client-node one and the twin's) implement it. The engine
 * never holds it: its context carries the roles (engine/context.ts), each module the narrowest.
 */
export interface KubernetesPort
  extends NodesPort, WorkloadHealthPort, StorageHealthPort, LeasePort {}
