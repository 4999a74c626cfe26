/**
 * The Talos API, through talosctl (adapters/talos) or the simulated cluster.
 * Node arguments are the addresses talosctl reaches (`-n`).
 */
export interface EtcdMember {
  /** 16-digit hex member id. */
  id: string;
  hostname: string;
  learner: boolean;
}

export interface EtcdMemberStatus {
  /** The node queried. */
  node: string;
  memberId: string;
  /** The member answered its status read without errors. */
  healthy: boolean;
  error?: string;
  /** The LEADER column: the member id this node sees as the etcd leader. */
  leaderId?: string;
}

/** What a node address answers: a configured Talos, a fresh VM in maintenance mode, nothing, or a TLS identity clash. */
export const TALOS_PROBE_RESULTS = ['configured', 'maintenance', 'unreachable', 'x509'] as const;
export type TalosProbeResult = (typeof TALOS_PROBE_RESULTS)[number];

export interface TalosUpgradeOptions {
  image: string;
  stage?: boolean;
  rebootMode?: 'default' | 'powercycle';
  timeoutSeconds: number;
  /**
   * Not passed by the engine: an abort never kills a running upgrade (invariant run-to-completion); the
   * upgrade ends within its own timeout and the run stops after it.
   */
  signal?: AbortSignal;
}

export interface KubernetesUpgradeOptions {
  /** A control plane node address (upgrade-k8s takes exactly one). */
  node: string;
  to: string;
  from?: string;
  dryRun: boolean;
  signal?: AbortSignal;
}

export interface TalosPort {
  /** Server Talos version without a leading v. */
  version(node: string): Promise<string>;
  etcdMembers(node: string): Promise<EtcdMember[]>;
  /** One status per queried node; a node that fails to answer is unhealthy with its error. */
  etcdStatus(nodes: string[]): Promise<EtcdMemberStatus[]>;
  etcdLeave(node: string): Promise<void>;
  /** `etcd forfeit-leadership` on the node: a leader hands leadership on; a follower is a no-op. */
  etcdForfeitLeadership(node: string): Promise<void>;
  /**
   * The node's boot ID (`/proc/sys/kernel/random/boot_id`): changes on every boot. talosctl's
   * own upgrade tracking compares it to tell a reboot happened (cmd/talosctl/pkg/talos/action).
   */
  bootId(node: string): Promise<string>;
  etcdRemoveMember(viaNode: string, memberId: string): Promise<void>;
  probe(address: string): Promise<TalosProbeResult>;
  /** Applies a complete machine config. `insecure` for a node in maintenance mode. */
  applyConfig(
    address: string,
    config: string,
    options: { insecure: boolean; signal?: AbortSignal },
  ): Promise<void>;
  /**
   * In-place upgrade. May reject although the node did upgrade (connection drop): read version()
   * and bootId() before deciding anything, never retry blindly.
   */
  upgrade(node: string, options: TalosUpgradeOptions): Promise<void>;
  upgradeKubernetes(options: KubernetesUpgradeOptions): Promise<string>;
  /**
   * `talosctl image pull --namespace system <image>` (Talos >= 1.5): the image lands in the
   * containerd namespace the upgrade's installer pulls into (internal/pkg/install/pull.go), so
   * the upgrade does not wait on the download while the node is out of service. Optional: a
   * port without it pre-pulls nothing.
   */
  pullImage?(node: string, image: string, signal?: AbortSignal): Promise<void>;
}
