/**
 * Everything the simulated world knows besides the Kubernetes objects (which live in the
 * KubeStore): VMs, templates, Terraform state, S3, etcd, Ceph flags, pending timed events,
 * fault counters and recorded violations. Plain JSON, saved with the store for --world.
 */
import type { StoreSnapshot } from '../kube/store.js';
import type { InvariantName } from '../../../core/invariants.js';

export const VM_PHASES = [
  'booting',
  'maintenance',
  'installing',
  'running',
  'rebooting',
  'stopped',
] as const;
export type VmPhase = (typeof VM_PHASES)[number];

export interface VmState {
  /**
   * Proxmox VMID: the Terraform resource id. A pinned vm_id keeps it across a replacement and
   * Proxmox hands freed ids out again: it is no proof of a new machine.
   */
  id: string;
  /** SMBIOS UUID: new on every create; identifies the machine instance (events key on it). */
  uuid: string;
  /** Kernel boot id: new on every boot. */
  bootId: string;
  /** The template VMID it was cloned from (bpg clone.vm_id, ForceNew). */
  cloneOf?: string;
  node: string;
  templateKey: string;
  /** Talos version the VM runs (the template's when cloned; changed by an in-place upgrade). */
  version: string;
  schematic: string;
  phase: VmPhase;
  /** The applied machine config loads the NVIDIA kernel modules. */
  gpuDriver: boolean;
  createdAt: number;
}

export interface TemplateState {
  key: string;
  address: string;
  host: string;
  flavor: string;
  version: string;
  schematic: string;
  id: string;
}

export interface EtcdMemberState {
  /** 16 hex digits. */
  id: string;
  node: string;
  /** The machine (systemUUID) that joined with this member (a reboot keeps it, a new VM joins anew). */
  vmId: string;
  healthy: boolean;
}

export interface TerraformLock {
  id: string;
  operation: 'OperationTypePlan' | 'OperationTypeApply';
  who: string;
  created: number;
}

export interface SavedPlan {
  id: string;
  serial: number;
  changes: {
    address: string;
    actions: ('no-op' | 'create' | 'read' | 'update' | 'delete' | 'forget')[];
  }[];
  applied: boolean;
}

export interface StoredS3Object {
  /**
   * The bytes, gzip-compressed, as base64 (a Terraform state of 5,000 nodes is ~2 MB and ~100 KB
   * compressed; a run keeps one backup per replacement). World files written before this field
   * hold `base64` (the bytes uncompressed) instead; both read back the same.
   */
  gzip64?: string;
  base64?: string;
  sha256: string;
  /** Size of the bytes as written (uncompressed). */
  size?: number;
  /** Terraform state serial inside, when the bytes are a state. */
  serial?: number;
}

export interface Violation {
  invariant: InvariantName;
  at: number;
  message: string;
}

/** A timed change the world makes on its own; persisted so a new process carries on. */
export type WorldEvent = { at: number; seq: number } & (
  | { type: 'vm-maintenance'; node: string; vmId: string }
  | { type: 'vm-configured'; node: string; vmId: string }
  | { type: 'etcd-healthy'; node: string; memberId: string }
  | { type: 'gpu-label'; node: string; vmId: string }
  | { type: 'gpu-allocatable'; node: string; vmId: string }
  | { type: 'node-unreachable'; node: string; vmId: string | null }
  | { type: 'taint-evict'; node: string }
  | { type: 'pod-running'; namespace: string; name: string; uid: string }
  | { type: 'pod-terminated'; namespace: string; name: string; uid: string }
  | { type: 'ceph-recheck' }
  | { type: 'fault-start'; index: number }
  | { type: 'fault-end'; index: number }
  | { type: 'skewed-runner'; index: number }
);
export type WorldEventType = WorldEvent['type'];

export interface WorldState {
  format: 1;
  scenario: string;
  scenarioHash: string;
  seed: number;
  rng: number;
  now: number;
  eventSeq: number;
  nextVmId: number;
  /** Machines created so far (seeds the next systemUUID/bootID deterministically). */
  machineSeq?: number;
  vms: Record<string, VmState | undefined>;
  /** VMs Terraform believes destroyed that still answer at the node's address. */
  lingering: Record<string, VmState>;
  templates: Record<string, TemplateState>;
  terraform: {
    serial: number;
    lineage: string;
    lock: TerraformLock | null;
    /** false: a fresh checkout, no `.terraform/` until init (absent in older world files: true). */
    initialised?: boolean;
    plans: Record<string, SavedPlan>;
    nextPlan: number;
  };
  s3: Record<string, StoredS3Object>;
  /** State serial of the newest backup that was read back after being written. */
  verifiedBackupSerial: number | null;
  etcd: EtcdMemberState[];
  /** Member id of the etcd leader; absent until first asked (then the first healthy member). */
  etcdLeader?: string | null;
  /** Leader elections etcd went through (a leader that left without forfeiting costs one). */
  etcdElections?: number;
  /** Nodes upgraded in place with no successful version read since (invariant evidence-of-change). */
  upgradeUnread?: Record<string, true>;
  noout: string[];
  /** Kubernetes version the control plane runs. */
  kubernetesVersion: string;
  vmReplacements: Record<string, number>;
  /** Images pulled onto each node (`talosctl image pull --namespace system`), by node name. */
  pulledImages?: Record<string, string[]>;
  /** Nodes whose VM an apply set out to replace (even if it failed): Drover did follow a leave. */
  replaceAttempted?: Record<string, true>;
  /** Per fault index: how many times it fired. */
  faultUses: number[];
  /** Per fault index: whether a timed fault is in force. */
  faultActive: boolean[];
  /** Per fault index: a `when` fault's trigger matched a request (it fires once). */
  faultTriggered?: boolean[];
  /** Per skewed-runner fault index: where that other runner is (world/skewed-runner.ts). */
  skewedRunners?: Record<
    number,
    {
      phase: 'waiting' | 'holding' | 'done';
      observed?: { version: string; at: number };
      holdUntil?: number;
    }
  >;
  pending: WorldEvent[];
  /** Pods whose termination (or start) is already scheduled, by uid. */
  podTimers: Record<string, true>;
  violations: Violation[];
  /** Breaches of 1/4 a fault caused while Drover's destructive request was under way. */
  excused?: Violation[];
  /** When a scripted fault last started. */
  lastFaultStrikeAt?: number;
  secrets: { tokens: Record<string, string>; served: string[] };
  /** When Drover cordoned each node (start of its graceful drain window). */
  cordonedAt: Record<string, number>;
  ceph: { downSince: Record<string, number>; recoveringUntil: number; outMarked: string[] };
}

export interface WorldFile {
  world: WorldState;
  store: StoreSnapshot;
}
