/**
 * The invariants of docs/architecture.md as far as the world can observe them (this file: what
 * taking a node out of service may break; invariants-store-hook.ts: Drover's store changes;
 * invariants-engine.ts, invariants-terraform.ts). A breach is recorded when a
 * change made by Drover (through a port or the fake API server) leaves the world in breach: a
 * node that fails on its own shrinks what Drover may take down, but is not itself Drover's
 * breach; Drover adding to it is.
 */
import { storageDomain, type InventoryNode } from '../../../core/inventory.js';
import { cephDomainsDown } from './ceph.js';
import { checkEngineAct } from './invariants-engine.js';
import { isCordoned, readyStatus } from './nodes.js';
import { R } from './objects.js';
import type { World } from './world.js';

/** Cordoned, not Ready, without a VM or with a VM that is not running: out of service. */
export function outOfService(world: World, name: string): boolean {
  const obj = world.store.getView(R.nodes, undefined, name);
  return !obj || isCordoned(obj) || readyStatus(obj) !== 'True' || !world.vmRunning(name);
}

function describe(nodes: InventoryNode[]): string {
  return nodes.map((n) => n.name).join(', ');
}

/** Out of service on its own (not cordoned) only since Drover's request went out: not counted. */
function struckWhileRequested(
  world: World,
  name: string,
  outWhenSent: ReadonlySet<string> | undefined,
): boolean {
  if (outWhenSent === undefined || outWhenSent.has(name)) return false;
  const obj = world.store.getView(R.nodes, undefined, name);
  return obj !== undefined && !isCordoned(obj);
}

/**
 * Drover just acted on `node`: `newlyOut` when the node was in service before (disruption and
 * quorum rules), `storage` when the action took its machine (and OSDs) away (Ceph's rule);
 * `outWhenSent`: for a cordon, the workers out of service when Drover sent it.
 */
export function checkTakenOut(
  world: World,
  node: InventoryNode,
  cause: string,
  what: { newlyOut: boolean; storage: boolean; outWhenSent?: ReadonlySet<string> | undefined },
): void {
  const { inventory, policy } = world.context;
  checkEngineAct(world, node.name, cause, what.storage);
  const cephOnly = !what.newlyOut;
  if (!cephOnly && node.role === 'worker') {
    const out = inventory.nodes.filter(
      (n) =>
        n.role === 'worker' &&
        outOfService(world, n.name) &&
        !struckWhileRequested(world, n.name, what.outWhenSent),
    );
    const limit = policy.disruption.maxUnavailableWorkers;
    if (out.length > limit)
      world.violation(
        'disruption-budget',
        `${cause}: ${out.length} workers out of service (${describe(out)}), policy allows ${limit}`,
      );
    const hosts = new Set(out.map((n) => n.host));
    const domains = new Set(out.map((n) => storageDomain(n)));
    const maxDomains = policy.disruption.maxUnavailableDomains;
    if (hosts.size > maxDomains || domains.size > maxDomains)
      world.violation(
        'disruption-budget',
        `${cause}: workers out of service span ${Math.max(hosts.size, domains.size)} failure domains (${[...hosts].join(', ')}), policy allows ${maxDomains}`,
      );
  }
  if (node.role === 'controlplane') {
    if (!cephOnly) checkControlPlane(world, node, cause);
    // Already out (cordoned), but its machine going away may still cost etcd its quorum: only
    // while it is still a member (after its etcd leave, its VM is no part of the quorum).
    else if (what.storage && world.state.etcd.some((m) => m.node === node.name))
      checkQuorum(world, cause);
  }
  if (what.storage && world.context.scenario.storage.ceph) {
    const down = cephDomainsDown(world);
    const tolerated = world.context.scenario.storage.toleratedDomainsDown;
    if (down.length > tolerated)
      world.violation(
        'disruption-budget',
        `${cause}: Ceph has ${down.length} failure domains down (${down.join(', ')}), tolerates ${tolerated}`,
      );
  }
}

function checkControlPlane(world: World, node: InventoryNode, cause: string): void {
  const others = world.context.inventory.nodes.filter(
    (n) => n.role === 'controlplane' && n.name !== node.name,
  );
  const alsoOut = others.filter((n) => outOfService(world, n.name));
  if (alsoOut.length > 0)
    world.violation(
      'etcd-quorum',
      `${cause}: control plane ${node.name} out of service while ${describe(alsoOut)} is too`,
    );
  const unhealthy = world.state.etcd.filter((m) => m.node !== node.name && !m.healthy);
  if (unhealthy.length > 0)
    world.violation(
      'etcd-quorum',
      `${cause}: control plane ${node.name} taken out while etcd member(s) of ${unhealthy.map((m) => m.node).join(', ')} are unhealthy`,
    );
  checkQuorum(world, cause);
}

export function checkQuorum(world: World, cause: string): void {
  const members = world.state.etcd;
  const healthy = members.filter((m) => m.healthy && world.vmRunning(m.node)).length;
  if (members.length > 0 && healthy <= members.length / 2)
    world.violation(
      'etcd-quorum',
      `${cause}: etcd lost quorum (${healthy} of ${members.length} members healthy)`,
    );
}

/** Before a member is removed (leave or remove-member): every other member must be healthy. */
export function checkMemberRemoval(world: World, memberNode: string, cause: string): void {
  checkEngineAct(world, memberNode, cause, true);
  const unhealthy = world.state.etcd.filter((m) => m.node !== memberNode && !m.healthy);
  if (unhealthy.length > 0)
    world.violation(
      'etcd-quorum',
      `${cause}: etcd member of ${memberNode} removed while ${unhealthy.map((m) => m.node).join(', ')} is unhealthy`,
    );
}

/** Invariant backup-before-destroy, at the moment a VM is destroyed. */
/** `serial`: the state the apply started from (its backup covers every VM of a batch). */
export function checkBackupBeforeDestroy(
  world: World,
  node: string,
  serial = world.state.terraform.serial,
): void {
  const verified = world.state.verifiedBackupSerial;
  if (verified !== serial)
    world.violation(
      'backup-before-destroy',
      `VM of ${node} destroyed without a verified state backup of serial ${serial} (last verified: ${verified ?? 'none'})`,
    );
}
