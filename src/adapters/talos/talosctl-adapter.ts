/**
 * TalosPort over talosctl, through the exec chokepoint. talosctl exits only 0 or 1, reports
 * per-node failures of multi-node calls as a `WARNING:` list with exit 0, prints etcd tables
 * only as text and upgrade progress only on stderr (docs/adapters.md, "Talos").
 * The calls live in talosctl-etcd, talosctl-node and talosctl-upgrade; this class wires them
 * to one runner so the talosconfig is checked once.
 */
import type {
  EtcdMember,
  EtcdMemberStatus,
  KubernetesUpgradeOptions,
  TalosPort,
  TalosProbeResult,
  TalosUpgradeOptions,
} from '../../ports/talos.js';
import {
  etcdForfeitLeadership,
  etcdLeave,
  etcdMembers,
  etcdRemoveMember,
  etcdStatus,
} from './talosctl-etcd.js';
import { applyConfig, nodeBootId, nodeVersion, probeAddress } from './talosctl-node.js';
import { pullImage } from './talosctl-image.js';
import type { TalosctlAdapterOptions } from './talosctl-options.js';
import { TalosctlRunner } from './talosctl-runner.js';
import { upgradeKubernetes, upgradeNode } from './talosctl-upgrade.js';

export type { TalosctlAdapterOptions, TalosctlTimeouts } from './talosctl-options.js';

export class TalosctlAdapter implements TalosPort {
  private readonly talosctl: TalosctlRunner;

  constructor(options: TalosctlAdapterOptions) {
    this.talosctl = new TalosctlRunner(options);
  }

  version(node: string): Promise<string> {
    return nodeVersion(this.talosctl, node);
  }

  etcdMembers(node: string): Promise<EtcdMember[]> {
    return etcdMembers(this.talosctl, node);
  }

  etcdStatus(nodes: string[]): Promise<EtcdMemberStatus[]> {
    return etcdStatus(this.talosctl, nodes);
  }

  etcdLeave(node: string): Promise<void> {
    return etcdLeave(this.talosctl, node);
  }

  etcdForfeitLeadership(node: string): Promise<void> {
    return etcdForfeitLeadership(this.talosctl, node);
  }

  bootId(node: string): Promise<string> {
    return nodeBootId(this.talosctl, node);
  }

  /** Idempotent: a member that is already gone (`member not found`) counts as removed. */
  etcdRemoveMember(viaNode: string, memberId: string): Promise<void> {
    return etcdRemoveMember(this.talosctl, viaNode, memberId);
  }

  probe(address: string): Promise<TalosProbeResult> {
    return probeAddress(this.talosctl, address);
  }

  applyConfig(
    address: string,
    config: string,
    options: { insecure: boolean; signal?: AbortSignal },
  ): Promise<void> {
    return applyConfig(this.talosctl, address, config, options);
  }

  /** A failure may come after the node did upgrade: check version() before retrying. */
  upgrade(node: string, options: TalosUpgradeOptions): Promise<void> {
    return upgradeNode(this.talosctl, node, options);
  }

  upgradeKubernetes(options: KubernetesUpgradeOptions): Promise<string> {
    return upgradeKubernetes(this.talosctl, options);
  }

  /** Before the first cordon: the next installer image, into the containerd `system` namespace. */
  pullImage(node: string, image: string, signal?: AbortSignal): Promise<void> {
    return pullImage(this.talosctl, node, image, signal);
  }
}
