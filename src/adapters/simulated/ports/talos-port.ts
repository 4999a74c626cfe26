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
import { removedItemsError } from '../../talos/removed-items.js';
import { R } from '../world/objects.js';
import { isDaemonOrMirror } from '../world/pod-helpers.js';
import { podPhase } from '../kube/pods.js';
import { etcdLeaderId, forfeitLeadership, removingMember } from '../world/talos-boot.js';
import { upgradeIssued, versionRead } from '../world/upgrade-reads.js';
import type { ScenarioFault } from '../scenario/schema.js';
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
    await this.busy(this.world.durations['etcd-leave']);
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
      throw rpcError('TALOS_ETCD', 'rpc error: code = Unknown desc = etcdserver: no leader', true);
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
    await this.busy(this.world.durations['apply-config'], options.signal);
    const current = this.world.vm(node.name);
    if (!current || current.id !== vm.id) throw unreachable(address);
    if (vm.phase === 'maintenance') configure(this.world, current, config);
    else current.gpuDriver = /nvidia/.test(config) || current.gpuDriver;
    this.world.changed();
  }

  /** A leader removed from etcd steps down and the others elect: Drover should have moved it. */
  private leaderLeaving(memberId: string, node: string, cause: string): void {
    if (removingMember(this.world, memberId))
      this.world.violation(
        1,
        `${cause}: the etcd leader left without forfeiting leadership first (a leader election stalls etcd and the API server)`,
      );
  }

  /** The first matching Talos fault with uses left (counted), or undefined. */
  private takeFault<T extends ScenarioFault['type']>(
    type: T,
    node: string,
  ): Extract<ScenarioFault, { type: T }> | undefined {
    const faults = this.world.faults();
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i];
      if (!f || f.type !== type || !('node' in f) || f.node !== node) continue;
      const times = 'times' in f && typeof f.times === 'number' ? f.times : Infinity;
      const used = this.world.state.faultUses[i] ?? 0;
      if (used >= times) continue;
      this.world.state.faultUses[i] = used + 1;
      this.world.changed();
      return f as Extract<ScenarioFault, { type: T }>;
    }
    return undefined;
  }

  /**
   * `talosctl upgrade --wait` as cmd/talosctl/pkg/talos/action (v1.10.9 / v1.11.6) behaves:
   * refusals are synchronous; the node reboots; talosctl exits 0 once the boot ID changed and
   * the machine is ready (a rollback passes that check), 1 when it loses the node for good.
   */
  async upgrade(node: string, options: TalosUpgradeOptions): Promise<void> {
    const n = this.world.requireNodeByAddress(node);
    upgradeIssued(this.world, n.name);
    this.world.failIfScripted('talos-upgrade', n.name);
    const drop = this.takeFault('talos-upgrade-drops', n.name);
    const { vm } = this.running(node);
    if (drop?.at === 'before-upgrade')
      throw upgradeUnreachable(
        node,
        `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${node}:50000: connect: connection refused"`,
      );
    const version = /:v?(\d+\.\d+\.\d+)$/.exec(options.image)?.[1];
    if (!version)
      throw rpcError(
        'TALOS_UPGRADE_REJECTED',
        `"${node}": rpc error: code = Unknown desc = error validating installer image "${options.image}": invalid reference format`,
      );
    if (n.role === 'controlplane') {
      const unhealthy = this.world.state.etcd.find((m) => m.node !== n.name && !m.healthy);
      if (unhealthy)
        throw rpcError(
          'TALOS_UPGRADE_REJECTED',
          `"${node}": rpc error: code = Unknown desc = error validating etcd for upgrade: etcd member ${unhealthy.id} is not healthy; all members must be healthy to perform an upgrade: context deadline exceeded`,
        );
    }
    checkDrained(this.world, n.name);
    const started = this.world.now;
    const bootBefore = vm.bootId;
    const wasOut = outOfService(this.world, n.name);
    vm.phase = 'rebooting';
    for (const m of this.world.state.etcd) if (m.node === n.name) m.healthy = false;
    checkTakenOut(this.world, n, `talos upgrade of ${n.name}`, {
      newlyOut: !wasOut,
      storage: true,
    });
    machineStopped(this.world, n.name, vm.id);
    const neverBack = this.world.hasFault(
      'talos-never-back',
      (f) => 'node' in f && f.node === n.name,
    );
    // A rollback: the new Talos fails to boot and Talos boots the old one again (a new boot).
    const rollsBack = this.world.hasFault(
      'talos-rolls-back',
      (f) => 'node' in f && f.node === n.name,
    );
    // Nobody sees the version before the machine answers again.
    if (!rollsBack && !neverBack) vm.version = version;
    const rebootMs = this.world.rng.jitter(this.world.ms('talos-upgrade', 0.6));
    if (!neverBack)
      this.world.schedule(rebootMs, { type: 'vm-configured', node: n.name, vmId: vm.id });
    this.world.changed();
    // talosctl loses the node while it reboots, and exits 1; the reboot goes on without it.
    if (drop) throw upgradeUnreachable(node);
    // --wait: tracks the node until it is back on a new boot and ready, or its --timeout.
    await this.world.clock.sleep(
      rebootMs + this.world.rng.jitter(this.world.ms('talos-upgrade', 0.4)),
      options.signal,
    );
    const deadline = started + options.timeoutSeconds * 1000;
    for (;;) {
      const now = this.world.vm(n.name);
      if (!now || now.id !== vm.id) throw upgradeUnreachable(node);
      if (now.phase === 'running' && now.bootId !== bootBefore) return;
      if (this.world.now >= deadline) throw upgradeUnreachable(node);
      await this.world.clock.sleep(Math.min(5000, deadline - this.world.now), options.signal);
    }
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
    const removed = this.world.faults().find((f) => f.type === 'k8s-removed-apis');
    if (removed) {
      await this.busy(this.world.durations['k8s-upgrade'] * 0.05, options.signal);
      throw removedItemsError(options.to, [
        {
          kind: 'resource',
          value: removed.resource,
          count: removed.count,
          text: `${removed.count} ${removed.resource} object(s)`,
        },
      ]);
    }
    const lines = [
      `automatically detected the lowest Kubernetes version ${from}`,
      `discovered controlplane nodes ${JSON.stringify(this.world.context.inventory.nodes.filter((x) => x.role === 'controlplane').map((x) => x.address))}`,
      `discovered worker nodes ${JSON.stringify(this.world.context.inventory.nodes.filter((x) => x.role === 'worker').map((x) => x.address))}`,
    ];
    // A minor hop has removed-item checks (go-kubernetes checks.go); images are pre-pulled, dry
    // run included (pkg/cluster/kubernetes/talos_managed.go).
    if (toLine !== fromLine)
      lines.push(
        'checking for removed Kubernetes component flags',
        'checking for removed Kubernetes API resource versions',
      );
    for (const n of this.world.context.inventory.nodes)
      lines.push(` > "${n.address}": pre-pulling ghcr.io/siderolabs/kubelet:v${options.to}`);
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

/** What the adapter makes of talosctl losing the node (talosctl-upgrade.ts `upgradeFailure`). */
function upgradeUnreachable(node: string, line = 'unavailable, retrying...'): DroverError {
  // Lost in the reboot, or never reached before the Upgrade call.
  const lost = line === 'unavailable, retrying...';
  return new DroverError(
    'failed',
    'TALOS_UPGRADE_UNREACHABLE',
    `talosctl upgrade exited 1: "${node}": ${line}`,
    {
      hint: 'talosctl lost the node (unreachable, not a refusal): read its version and boot ID before deciding anything',
      details: {
        transient: true,
        unreachable: true,
        progress: { started: lost, rebooting: lost, postCheckPassed: false, last: line },
      },
    },
  );
}

/**
 * Talos drains inside its own upgrade sequence, with no regard for Drover's drain policy (PDB
 * window, force rules): any workload pod still on the node when the upgrade starts is Drover
 * skipping its own drain (invariant 6, pets too).
 */
function checkDrained(world: World, node: string): void {
  const left = world.store
    .listView(R.pods)
    .filter(
      (p) =>
        p.spec?.nodeName === node &&
        !isDaemonOrMirror(p) &&
        !p.metadata.deletionTimestamp &&
        !['Succeeded', 'Failed'].includes(podPhase(p)),
    );
  if (left.length > 0)
    world.violation(
      6,
      `talos upgrade of ${node} with ${left.length} pod(s) not drained under the drain policy (${left
        .slice(0, 3)
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
        .join(', ')}): Talos' own drain ignores it`,
    );
}
