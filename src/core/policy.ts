/**
 * Operator policy: how much disruption is allowed, how long to wait, what may be forced.
 * Defaults follow the approved architecture (graceful drain window 240 s, then force).
 */
export interface DrainPolicy {
  /** Evictions honour PodDisruptionBudgets for this long before any force. */
  gracefulSeconds: number;
  /** After the window, delete pods whose eviction is still refused. */
  forceAfterGrace: boolean;
  /** Evict pods that use emptyDir volumes (their data is lost). */
  deleteEmptyDirData: boolean;
  /** Delete pods with no controller (they are not recreated). */
  deleteUnmanagedPods: boolean;
  /** How long pods may take to terminate once evicted or deleted. */
  podTerminationTimeoutSeconds: number;
}

export interface DisruptionPolicy {
  /** Workers out of service at once, whatever the cause. */
  maxUnavailableWorkers: number;
  /** Failure domains (Proxmox hosts, or storage domains) with a worker out of service at once. */
  maxUnavailableDomains: number;
  /** Template rebuilds at once (storage contention). */
  templateRebuildConcurrency: number;
  /** Pets: workers upgraded in one batch. */
  petsBatchSize: number;
}

export interface TimeoutPolicy {
  gateSeconds: number;
  nodeReadySeconds: number;
  maintenanceModeSeconds: number;
  etcdRejoinSeconds: number;
  terraformSeconds: number;
  talosUpgradeSeconds: number;
  apiServerStablePasses: number;
}

export interface RetryPolicy {
  attempts: number;
  initialBackoffSeconds: number;
  maxBackoffSeconds: number;
}

export interface Policy {
  drain: DrainPolicy;
  disruption: DisruptionPolicy;
  timeouts: TimeoutPolicy;
  retry: RetryPolicy;
  /** Ceph: set noout while an OSD node is away. */
  cephNoout: boolean;
}

export const DEFAULT_POLICY: Policy = {
  drain: {
    gracefulSeconds: 240,
    forceAfterGrace: true,
    deleteEmptyDirData: true,
    deleteUnmanagedPods: false,
    podTerminationTimeoutSeconds: 120,
  },
  disruption: {
    maxUnavailableWorkers: 1,
    maxUnavailableDomains: 1,
    templateRebuildConcurrency: 2,
    petsBatchSize: 3,
  },
  timeouts: {
    gateSeconds: 600,
    nodeReadySeconds: 900,
    maintenanceModeSeconds: 600,
    etcdRejoinSeconds: 600,
    terraformSeconds: 1800,
    talosUpgradeSeconds: 1800,
    apiServerStablePasses: 3,
  },
  retry: { attempts: 3, initialBackoffSeconds: 5, maxBackoffSeconds: 60 },
  cephNoout: true,
};
