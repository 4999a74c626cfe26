/**
 * The simulated `talosctl upgrade`, as cmd/talosctl/pkg/talos/action (v1.10.9 / v1.11.6)
 * behaves, with the Talos faults of the scenario (scenario/faults-talos.ts): talosctl losing
 * the node, rollbacks, nodes that never come back. Invariant hooks: an upgrade without a
 * version read since the last one (evidence-of-change), of a node Drover did not drain
 * (drain-honours-pdbs). `upgrade-k8s` is talos-port-upgrade-kubernetes.ts.
 */
import { canMoveInOneHop, talosLine } from '../../../core/compatibility.js';
import { DroverError } from '../../../core/errors.js';
import { compareVersions, versionOf } from '../../../core/version.js';
import type { InventoryNode } from '../../../core/inventory.js';
import type { TalosUpgradeOptions } from '../../../ports/talos.js';
import { podPhase } from '../kube/pods.js';
import { checkTakenOut, outOfService } from '../world/invariants.js';
import { machineStopped } from '../world/machines.js';
import { R } from '../world/objects.js';
import { isDaemonOrMirror } from '../world/pod-helpers.js';
import { upgradeIssued } from '../world/upgrade-reads.js';
import type { VmState } from '../world/state.js';
import type { World } from '../world/world.js';
import { takeFaultUse } from './fault-uses.js';
import { imageMissing } from './registry-port.js';
import { rpcError, runningMachine } from './talos-port-common.js';

/**
 * The installer's pre-flight (siderolabs/talos v1.11.6 cmd/installer/pkg/install/preflight.go,
 * compatibility.TalosVersion.UpgradeableFrom in pkg/machinery/compatibility/talos_version.go):
 * a host below the target line's minimum, or above its maximum downgrade source, is refused.
 * Real Talos fails the upgrade sequence with it; here it is refused before the node goes down.
 */
function refuseUnsupportedPath(node: string, host: string | undefined, target: string): void {
  if (host === undefined) return;
  const [from, to] = [versionOf(host), versionOf(target)];
  if (!talosLine(to) || canMoveInOneHop(from, to)) return;
  const upward = compareVersions(from, to) < 0;
  throw rpcError(
    'TALOS_UPGRADE_REJECTED',
    `"${node}": rpc error: code = Unknown desc = pre-flight checks failed: host version ${host} is ${upward ? 'too old to upgrade' : 'too new to downgrade'} to Talos ${target}`,
  );
}

/**
 * `talosctl upgrade --wait` as cmd/talosctl/pkg/talos/action (v1.10.9 / v1.11.6) behaves:
 * refusals are synchronous; the node reboots; talosctl exits 0 once the boot ID changed and
 * the machine is ready (a rollback passes that check), 1 when it loses the node for good.
 */
export async function upgradeNode(
  world: World,
  node: string,
  options: TalosUpgradeOptions,
): Promise<void> {
  const n = world.requireNodeByAddress(node);
  upgradeIssued(world, n.name);
  world.failIfScripted('talos-upgrade', n.name);
  const drop = takeFaultUse(world, 'talos-upgrade-drops', (f) => f.node === n.name);
  const { vm } = runningMachine(world, node);
  if (drop?.at === 'before-upgrade')
    throw upgradeUnreachable(
      node,
      `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${node}:50000: connect: connection refused"`,
    );
  const version = refuseUpgrade(world, n, node, vm.version, options.image);
  checkDrained(world, n.name);
  const started = world.now;
  const bootBefore = vm.bootId;
  const rebootMs = reboot(world, n, vm, version);
  // talosctl loses the node while it reboots, and exits 1; the reboot goes on without it.
  if (drop) throw upgradeUnreachable(node);
  // --wait: tracks the node until it is back on a new boot and ready, or its --timeout.
  await world.clock.sleep(
    rebootMs + world.rng.jitter(world.ms('talos-upgrade', 0.4)),
    options.signal,
  );
  const deadline = started + options.timeoutSeconds * 1000;
  for (;;) {
    const now = world.vm(n.name);
    if (!now || now.uuid !== vm.uuid) throw upgradeUnreachable(node);
    if (now.phase === 'running' && now.bootId !== bootBefore) return;
    if (world.now >= deadline) throw upgradeUnreachable(node);
    await world.clock.sleep(Math.min(5000, deadline - world.now), options.signal);
  }
}

/**
 * The synchronous refusals of the Upgrade call, in machined's order: a malformed or missing
 * installer image, an unsupported version path, an unhealthy etcd peer of a control plane node.
 * Returns the version the image installs.
 */
function refuseUpgrade(
  world: World,
  n: InventoryNode,
  node: string,
  host: string | undefined,
  image: string,
): string {
  const version = /:v?(\d+\.\d+\.\d+)$/.exec(image)?.[1];
  if (!version)
    throw rpcError(
      'TALOS_UPGRADE_REJECTED',
      `"${node}": rpc error: code = Unknown desc = error validating installer image "${image}": invalid reference format`,
    );
  // machined's Upgrade pulls and validates the installer first (v1.11.6
  // internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go): a missing image is refused.
  if (imageMissing(world, image))
    throw rpcError(
      'TALOS_UPGRADE_REJECTED',
      `"${node}": rpc error: code = Unknown desc = error validating installer image "${image}": failed to resolve reference "${image}": ${image}: not found`,
    );
  refuseUnsupportedPath(node, host, version);
  if (n.role === 'controlplane') {
    const unhealthy = world.state.etcd.find((m) => m.node !== n.name && !m.healthy);
    if (unhealthy)
      throw rpcError(
        'TALOS_UPGRADE_REJECTED',
        `"${node}": rpc error: code = Unknown desc = error validating etcd for upgrade: etcd member ${unhealthy.id} is not healthy; all members must be healthy to perform an upgrade: context deadline exceeded`,
      );
  }
  return version;
}

/**
 * The node goes down and reboots into `version` (or rolls back, or never comes back, as the
 * scenario's faults say). Returns how long the reboot takes.
 */
function reboot(world: World, n: InventoryNode, vm: VmState, version: string): number {
  const wasOut = outOfService(world, n.name);
  vm.phase = 'rebooting';
  world.vmTouched(vm.node);
  for (const m of world.state.etcd) if (m.node === n.name) m.healthy = false;
  checkTakenOut(world, n, `talos upgrade of ${n.name}`, {
    newlyOut: !wasOut,
    storage: true,
  });
  machineStopped(world, n.name, vm.uuid);
  const neverBack = world.hasFault('talos-never-back', (f) => 'node' in f && f.node === n.name);
  // A rollback: the new Talos fails to boot and Talos boots the old one again (a new boot).
  const rollsBack = world.hasFault('talos-rolls-back', (f) => 'node' in f && f.node === n.name);
  // Nobody sees the version before the machine answers again.
  if (!rollsBack && !neverBack) vm.version = version;
  const rebootMs = world.rng.jitter(world.ms('talos-upgrade', 0.6));
  if (!neverBack) world.schedule(rebootMs, { type: 'vm-configured', node: n.name, vmId: vm.uuid });
  world.changed();
  return rebootMs;
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
        unreachable: true,
        progress: { started: lost, rebooting: lost, postCheckPassed: false, last: line },
      },
    },
  );
}

/**
 * Talos drains inside its own upgrade sequence, with no regard for Drover's drain policy (PDB
 * window, force rules): any workload pod still on the node when the upgrade starts is Drover
 * skipping its own drain (invariant drain-honours-pdbs, pets too).
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
      'drain-honours-pdbs',
      `talos upgrade of ${node} with ${left.length} pod(s) not drained under the drain policy (${left
        .slice(0, 3)
        .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
        .join(', ')}): Talos' own drain ignores it`,
    );
}
