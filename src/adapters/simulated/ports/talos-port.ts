/**
 * TalosPort over the simulated machines, with talosctl's observable behaviour: maintenance mode
 * answers only insecure clients, a configured node only mTLS; a booting machine does not answer;
 * etcd leave/remove-member and the leader; boot IDs; in-place upgrades and upgrade-k8s live in
 * talos-port-upgrade.ts.
 */
import type {
  EtcdMember,
  EtcdMemberStatus,
  KubernetesUpgradeOptions,
  TalosPort,
  TalosProbeResult,
  TalosUpgradeOptions,
} from '../../../ports/talos.js';
import { checkMemberRemoval, checkQuorum } from '../world/invariants.js';
import { validateMachineConfig } from '../world/machine-config.js';
import { configure } from '../world/machines.js';
import { etcdLeaderId, forfeitLeadership, removingMember } from '../world/etcd-leader.js';
import { versionRead } from '../world/upgrade-reads.js';
import { unreachable } from '../world/node-lookup.js';
import type { World } from '../world/world.js';
import { answers, busy, rpcError, runningMachine } from './talos-port-common.js';
import { pullImage } from './talos-port-pull.js';
import { upgradeKubernetes, upgradeNode } from './talos-port-upgrade.js';

export class SimulatedTalosPort implements TalosPort {
  constructor(private readonly world: World) {}

  private busy(seconds: number, signal?: AbortSignal): Promise<void> {
    return busy(this.world, seconds, signal);
  }

  private running(address: string) {
    return runningMachine(this.world, address);
  }

  async version(node: string): Promise<string> {
    await this.busy(this.world.seconds('version-read') / 2);
    const { node: n, vm } = this.running(node);
    versionRead(this.world, n.name);
    return vm.version;
  }

  async bootId(node: string): Promise<string> {
    await this.busy(1);
    return this.running(node).vm.bootId;
  }

  async etcdForfeitLeadership(node: string): Promise<void> {
    await this.busy(1);
    const { node: n } = this.running(node);
    const member = this.world.state.etcd.find((m) => m.node === n.name);
    if (member) forfeitLeadership(this.world, member.id);
  }

  async etcdMembers(node: string): Promise<EtcdMember[]> {
    await this.busy(1);
    const { node: n } = this.running(node);
    const self = this.world.state.etcd.find((m) => m.node === n.name);
    if (!self || !self.healthy)
      throw rpcError(
        'TALOS_ETCD_NO_LEADER',
        'rpc error: code = Unknown desc = etcdserver: no leader',
      );
    return this.world.state.etcd.map((m) => ({ id: m.id, hostname: m.node, learner: false }));
  }

  async etcdStatus(nodes: string[]): Promise<EtcdMemberStatus[]> {
    await this.busy(this.world.seconds('etcd-status-read'));
    return nodes.map((address) => {
      try {
        const { node } = this.running(address);
        const member = this.world.state.etcd.find((m) => m.node === node.name);
        if (!member)
          return {
            node: address,
            memberId: '',
            healthy: false,
            error: 'etcd is not running on this node (not a member)',
          };
        if (!member.healthy)
          return {
            node: address,
            memberId: member.id,
            healthy: false,
            error: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded',
          };
        const leaderId = etcdLeaderId(this.world);
        return {
          node: address,
          memberId: member.id,
          healthy: true,
          ...(leaderId ? { leaderId } : {}),
        };
      } catch (error) {
        return { node: address, memberId: '', healthy: false, error: (error as Error).message };
      }
    });
  }

  async etcdLeave(node: string): Promise<void> {
    const n = this.world.requireNodeByAddress(node);
    this.world.failIfScripted('etcd-leave', n.name);
    this.running(node);
    const member = this.world.state.etcd.find((m) => m.node === n.name);
    if (!member)
      throw rpcError('TALOS_ETCD', 'rpc error: code = Unknown desc = etcdserver: member not found');
    await this.busy(this.world.seconds('etcd-leave'));
    checkMemberRemoval(this.world, n.name, `etcd leave of ${n.name}`);
    this.leaderLeaving(member.id, n.name, `etcd leave of ${n.name}`);
    this.world.state.etcd = this.world.state.etcd.filter((m) => m.id !== member.id);
    checkQuorum(this.world, `etcd leave of ${n.name}`);
    this.world.changed();
  }

  async etcdRemoveMember(viaNode: string, memberId: string): Promise<void> {
    await this.busy(2);
    const { node: via } = this.running(viaNode);
    const self = this.world.state.etcd.find((m) => m.node === via.name);
    if (!self?.healthy)
      throw rpcError(
        'TALOS_ETCD_NO_LEADER',
        'rpc error: code = Unknown desc = etcdserver: no leader',
      );
    const member = this.world.state.etcd.find((m) => m.id === memberId.toLowerCase());
    if (!member)
      throw rpcError(
        'TALOS_ETCD',
        `1 error occurred:\n\t* ${viaNode}: rpc error: code = NotFound desc = etcdserver: member not found`,
      );
    checkMemberRemoval(this.world, member.node, `etcd remove-member ${memberId}`);
    this.leaderLeaving(member.id, member.node, `etcd remove-member ${memberId}`);
    this.world.state.etcd = this.world.state.etcd.filter((m) => m.id !== member.id);
    checkQuorum(this.world, `etcd remove-member ${memberId}`);
    this.world.changed();
  }

  async probe(address: string): Promise<TalosProbeResult> {
    await this.busy(1);
    const node = this.world.nodeByAddress(address);
    if (!node) return 'unreachable';
    if (this.world.scriptedFailure('wait-maintenance', node.name)) return 'unreachable';
    const vm = this.world.vm(node.name);
    const lingering = this.world.state.lingering[node.name];
    // The old machine still holds the address: its certificate is not the fresh VM's.
    if (lingering) return 'x509';
    if (!vm) return 'unreachable';
    if (vm.phase === 'maintenance') return 'maintenance';
    if (vm.phase === 'running') return 'configured';
    return 'unreachable';
  }

  async applyConfig(
    address: string,
    config: string,
    options: { insecure: boolean; signal?: AbortSignal },
  ): Promise<void> {
    const node = this.world.requireNodeByAddress(address);
    this.world.failIfScripted('apply-config', node.name);
    const vm = this.world.vm(node.name);
    if (this.world.state.lingering[node.name])
      throw rpcError(
        'TALOS_X509',
        'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: remote error: tls: certificate required"',
      );
    if (!answers(vm)) throw unreachable(address);
    if (options.insecure && vm.phase !== 'maintenance')
      throw rpcError(
        'TALOS_TLS',
        'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: remote error: tls: certificate required"',
      );
    if (!options.insecure && vm.phase === 'maintenance')
      throw rpcError(
        'TALOS_X509',
        'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"',
      );
    validateMachineConfig(config, node, this.world.state.secrets.tokens);
    await this.busy(this.world.seconds('config-apply'), options.signal);
    const current = this.world.vm(node.name);
    if (!current || current.uuid !== vm.uuid) throw unreachable(address);
    if (vm.phase === 'maintenance') configure(this.world, current, config);
    else current.gpuDriver = /nvidia/.test(config) || current.gpuDriver;
    this.world.changed();
  }

  /** A leader removed from etcd steps down and the others elect: Drover should have moved it. */
  private leaderLeaving(memberId: string, node: string, cause: string): void {
    if (removingMember(this.world, memberId))
      this.world.violation(
        'etcd-quorum',
        `${cause}: the etcd leader left without forfeiting leadership first (a leader election stalls etcd and the API server)`,
      );
  }

  async upgrade(node: string, options: TalosUpgradeOptions): Promise<void> {
    await upgradeNode(this.world, node, options);
  }

  async upgradeKubernetes(options: KubernetesUpgradeOptions): Promise<string> {
    return upgradeKubernetes(this.world, options);
  }

  async pullImage(node: string, image: string, signal?: AbortSignal): Promise<void> {
    return pullImage(this.world, node, image, signal);
  }
}
