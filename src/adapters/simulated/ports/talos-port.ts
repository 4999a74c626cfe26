/**
 * TalosPort over the simulated machines, with talosctl's observable behaviour: maintenance mode
 * answers only insecure clients, a configured node only mTLS; a booting machine does not answer;
 * etcd leave/remove-member; in-place upgrades reboot the node; upgrade-k8s one minor at a time.
 */
import { DroverError } from '../../../core/errors.js';
import type {
  EtcdMember,
  EtcdMemberStatus,
  KubernetesUpgradeOptions,
  TalosPort,
  TalosProbeResult,
  TalosUpgradeOptions,
} from '../../../ports/talos.js';
import { configure, machineStopped } from '../world/machines.js';
import { validateMachineConfig } from '../world/machine-config.js';
import {
  checkMemberRemoval,
  checkQuorum,
  checkTakenOut,
  outOfService,
} from '../world/invariants.js';
import { R } from '../world/objects.js';
import { unreachable, type World } from '../world/world.js';

function rpcError(code: string, message: string, transient = false): DroverError {
  return new DroverError('failed', code, message, { details: { transient } });
}

/** A VM that is absent, stopped or between boots does not answer at its address. */
function answers<T extends { phase: string }>(vm: T | undefined): vm is T {
  return vm !== undefined && !['booting', 'rebooting', 'stopped', 'installing'].includes(vm.phase);
}

export class SimulatedTalosPort implements TalosPort {
  constructor(private readonly world: World) {}

  private async busy(seconds: number, signal?: AbortSignal): Promise<void> {
    await this.world.clock.sleep(Math.round(seconds * 1000), signal);
  }

  /** The configured, running machine at `address`, or the error talosctl would print. */
  private running(address: string) {
    const node = this.world.requireNodeByAddress(address);
    const vm = this.world.vm(node.name);
    const lingering = this.world.state.lingering[node.name];
    if (lingering && vm?.phase !== 'running') return { node, vm: lingering };
    if (!answers(vm)) throw unreachable(address);
    if (vm.phase === 'maintenance')
      throw rpcError(
        'TALOS_X509',
        `rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`,
      );
    return { node, vm };
  }

  async version(node: string): Promise<string> {
    await this.busy(this.world.durations['verify-version'] / 2);
    return this.running(node).vm.version;
  }

  async etcdMembers(node: string): Promise<EtcdMember[]> {
    await this.busy(1);
    const { node: n } = this.running(node);
    const self = this.world.state.etcd.find((m) => m.node === n.name);
    if (!self || !self.healthy)
      throw rpcError('TALOS_ETCD', 'rpc error: code = Unknown desc = etcdserver: no leader', true);
    return this.world.state.etcd.map((m) => ({ id: m.id, hostname: m.node, learner: false }));
  }

  async etcdStatus(nodes: string[]): Promise<EtcdMemberStatus[]> {
    await this.busy(this.world.durations['gate-etcd']);
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
        return { node: address, memberId: member.id, healthy: true };
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
    await this.busy(this.world.durations['etcd-leave']);
    checkMemberRemoval(this.world, n.name, `etcd leave of ${n.name}`);
    this.world.state.etcd = this.world.state.etcd.filter((m) => m.id !== member.id);
    checkQuorum(this.world, `etcd leave of ${n.name}`);
    this.world.changed();
  }

  async etcdRemoveMember(viaNode: string, memberId: string): Promise<void> {
    await this.busy(2);
    const { node: via } = this.running(viaNode);
    const self = this.world.state.etcd.find((m) => m.node === via.name);
    if (!self?.healthy)
      throw rpcError('TALOS_ETCD', 'rpc error: code = Unknown desc = etcdserver: no leader', true);
    const member = this.world.state.etcd.find((m) => m.id === memberId.toLowerCase());
    if (!member)
      throw rpcError('TALOS_ETCD', 'rpc error: code = Unknown desc = etcdserver: member not found');
    checkMemberRemoval(this.world, member.node, `etcd remove-member ${memberId}`);
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
    await this.busy(this.world.durations['apply-config'], options.signal);
    const current = this.world.vm(node.name);
    if (!current || current.uuid !== vm.uuid) throw unreachable(address);
    if (vm.phase === 'maintenance') configure(this.world, current, config);
    else current.gpuDriver = /nvidia/.test(config) || current.gpuDriver;
    this.world.changed();
  }

  async upgrade(node: string, options: TalosUpgradeOptions): Promise<void> {
    const n = this.world.requireNodeByAddress(node);
    this.world.failIfScripted('talos-upgrade', n.name);
    const { vm } = this.running(node);
    const version = /:v?(\d+\.\d+\.\d+)$/.exec(options.image)?.[1];
    if (!version)
      throw rpcError(
        'TALOS_UPGRADE',
        `"${node}": rpc error: code = Unknown desc = error validating installer image "${options.image}": invalid reference format`,
      );
    if (n.role === 'controlplane') {
      const unhealthy = this.world.state.etcd.find((m) => m.node !== n.name && !m.healthy);
      if (unhealthy)
        throw rpcError(
          'TALOS_UPGRADE',
          `"${node}": rpc error: code = Unknown desc = error validating etcd for upgrade: etcd member ${unhealthy.id} is not healthy; all members must be healthy to perform an upgrade: context deadline exceeded`,
        );
    }
    const wasOut = outOfService(this.world, n.name);
    vm.phase = 'rebooting';
    for (const m of this.world.state.etcd) if (m.node === n.name) m.healthy = false;
    checkTakenOut(this.world, n, `talos upgrade of ${n.name}`, {
      newlyOut: !wasOut,
      storage: true,
    });
    machineStopped(this.world, n.name, vm.uuid);
    this.world.changed();
    await this.busy(
      this.world.rng.jitter(this.world.durations['talos-upgrade'] * 0.6),
      options.signal,
    );
    const current = this.world.vm(n.name);
    if (!current || current.uuid !== vm.uuid) throw unreachable(node);
    current.version = version;
    current.phase = 'installing';
    this.world.schedule(0, { type: 'vm-configured', node: n.name, vmId: current.uuid });
    // --wait: tracks the node until it is back (booted, Ready) or the timeout.
    await this.world.clock.sleep(
      this.world.rng.jitter(this.world.ms('talos-upgrade', 0.4)),
      options.signal,
    );
    if (this.world.vm(n.name)?.phase !== 'running')
      throw rpcError(
        'TALOS_UPGRADE',
        `"${node}": unavailable, retrying...\n1 error occurred:\n\t* timeout`,
        true,
      );
  }

  async upgradeKubernetes(options: KubernetesUpgradeOptions): Promise<string> {
    const n = this.world.requireNodeByAddress(options.node);
    if (n.role !== 'controlplane')
      throw rpcError(
        'TALOS_K8S_UPGRADE',
        `error: node ${options.node} is not a control plane node`,
      );
    if (!options.dryRun) this.world.failIfScripted('k8s-upgrade', undefined);
    this.running(options.node);
    const from = this.world.state.kubernetesVersion;
    const [fMaj, fMin] = from.split('.').map(Number);
    const [tMaj, tMin] = options.to.split('.').map(Number);
    const fromLine = `${fMaj}.${fMin}`;
    const toLine = `${tMaj}.${tMin}`;
    if (fMaj !== tMaj || (tMin ?? 0) < (fMin ?? 0) || (tMin ?? 0) > (fMin ?? 0) + 1)
      throw rpcError(
        'TALOS_K8S_UPGRADE',
        `unsupported upgrade path ${fromLine}->${toLine} (from "${from}" to "${options.to}")`,
      );
    const lines = [
      `automatically detected the lowest Kubernetes version ${from}`,
      `discovered controlplane nodes ${JSON.stringify(this.world.context.inventory.nodes.filter((x) => x.role === 'controlplane').map((x) => x.address))}`,
      `discovered worker nodes ${JSON.stringify(this.world.context.inventory.nodes.filter((x) => x.role === 'worker').map((x) => x.address))}`,
    ];
    for (const component of [
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kube-proxy',
      'kubelet',
    ]) {
      lines.push(`updating "${component}" to version "${options.to}"`);
      if (options.dryRun) lines.push(' > skipped in dry-run');
    }
    await this.busy(
      this.world.durations['k8s-upgrade'] * (options.dryRun ? 0.05 : 1),
      options.signal,
    );
    if (!options.dryRun) {
      this.world.state.kubernetesVersion = options.to;
      this.world.asWorld(() => {
        for (const obj of this.world.store.list(R.nodes))
          this.world.store.mutate(R.nodes, undefined, obj.metadata.name, (x) => {
            const st = (x.status ??= {});
            st.nodeInfo = { ...(st.nodeInfo as object), kubeletVersion: `v${options.to}` };
          });
      });
      this.world.changed();
    }
    lines.push(' > processing manifest v1.ServiceAccount/coredns', '  < no changes');
    return `${lines.join('\n')}\n`;
  }
}
