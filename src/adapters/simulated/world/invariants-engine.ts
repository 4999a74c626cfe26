/**
 * The engine's own rules, as far as the world can see them (invariants uncordon-when-done, single-lease-holder and noout-while-away in docs/architecture.md),
 * hooked from invariants.ts and invariants-store-hook.ts:
 * - a destructive act (cordon, VM destroyed, in-place upgrade, etcd member removed) while no
 *   runner holds the upgrade lease by the world's clock, or while another runner of the scenario
 *   (a dead one, one with a skewed clock) holds it;
 * - Ceph noout unset on a domain while one of its OSD nodes is down;
 * - a node Drover cordoned and sent no destructive request since, still cordoned when Drover
 *   releases the lease at the end of its run (invariant uncordon-when-done: it must be as it was);
 * - a control plane node that left etcd and whose VM no apply set out to replace, when Drover
 *   releases the lease (invariant etcd-quorum; judged then, not mid-run, where it is a step away);
 * - and it lets an uncordon below the target through for a node nothing destructive touched.
 */
import { storageDomain } from '../../../core/inventory.js';
import type { InventoryNode } from '../../../core/inventory.js';
import { DEFAULT_LEASE_NAME, DEFAULT_LEASE_NAMESPACE } from '../../kubernetes/lease-lock.js';
import { isCordoned, readyStatus, talosVersionOf } from './nodes.js';
import { checkLeavesReplaced } from './invariants-terraform.js';
import { R } from './objects.js';
import { isOtherRunner } from './skewed-runner.js';
import { DESTRUCTIVE } from './scripted-faults.js';
import type { World } from './world.js';

interface Seen {
  noout: string[];
  /** Nodes a destructive act reached since Drover cordoned them. */
  touched: Set<string>;
  /** Nodes Drover cordoned, and those it sent a destructive request since (reached or not). */
  cordoned: Set<string>;
  requested: Set<string>;
  leaseHolder: string | undefined;
}

const seen = new WeakMap<World, Seen>();

function stateOf(world: World): Seen {
  let s = seen.get(world);
  if (!s) {
    s = {
      noout: [...world.state.noout],
      touched: new Set(),
      cordoned: new Set(),
      requested: new Set(),
      leaseHolder: leaseSpec(world)?.holderIdentity,
    };
    seen.set(world, s);
  }
  return s;
}

interface LeaseSpec {
  holderIdentity?: string;
  renewTime?: string;
  leaseDurationSeconds?: number;
}

function leaseSpec(world: World): LeaseSpec | undefined {
  const lease = world.store.getView(R.leases, DEFAULT_LEASE_NAMESPACE, DEFAULT_LEASE_NAME);
  return lease === undefined ? undefined : ((lease.spec ?? {}) as LeaseSpec);
}

/** Invariant single-lease-holder: the act happens while a runner holds the lease, judged on the world's clock. */
function leaseHeld(world: World): boolean {
  const spec = leaseSpec(world);
  // No lease object at all: a world driven without the engine's lock (port-level tests).
  if (spec === undefined) return true;
  if (!spec.holderIdentity || !spec.renewTime) return false;
  return Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? 0) * 1000 >= world.now;
}

/** Drover acts on `node`; `destructive` when the act changes it irreversibly. */
export function checkEngineAct(
  world: World,
  node: string,
  cause: string,
  destructive: boolean,
): void {
  const holder = leaseSpec(world)?.holderIdentity;
  // Another runner of the scenario holds it (whatever its clock wrote): not this run's to act.
  if (holder && isOtherRunner(world, holder))
    world.violation(
      'single-lease-holder',
      `${cause}: taken while ${holder} held the upgrade lease`,
    );
  else if (!leaseHeld(world))
    world.violation(
      'single-lease-holder',
      `${cause}: taken while no runner held the upgrade lease`,
    );
  if (destructive) stateOf(world).touched.add(node);
}

/** Drover cordoned `node`: its destructive history starts afresh. */
export function noteCordon(world: World, node: string): void {
  const s = stateOf(world);
  s.touched.delete(node);
  s.requested.delete(node);
  s.cordoned.add(node);
}

/**
 * Invariant uncordon-when-done at the end of a run (the holder clears the lease): a node Drover cordoned and sent
 * nothing destructive since is still cordoned. Judged by requests, not by their effect: a call
 * that went out may have reached the node, so leaving it cordoned is Drover's right.
 */
function checkLeftCordoned(world: World, s: Seen): void {
  for (const name of s.cordoned) {
    const obj = world.store.getView(R.nodes, undefined, name);
    if (obj === undefined || !isCordoned(obj) || s.requested.has(name)) continue;
    world.violation(
      'uncordon-when-done',
      `${name} left cordoned at the end of the run although nothing destructive was asked of it since Drover cordoned it`,
    );
  }
  s.cordoned.clear();
}

function osdDown(world: World, domain: string): string[] {
  return world.context.inventory.nodes
    .filter((n) => n.storage?.osd === true && storageDomain(n) === domain)
    .filter((n) => {
      const obj = world.store.getView(R.nodes, undefined, n.name);
      return !world.vmRunning(n.name) || readyStatus(obj) !== 'True';
    })
    .map((n) => n.name);
}

/** Invariant noout-while-away: after every change, a noout that went away must not leave a down OSD node behind. */
export function watchEngineInvariants(world: World): void {
  stateOf(world);
  world.onRequest((_w, request) => {
    if (request.node !== undefined && DESTRUCTIVE.has(request.operation))
      stateOf(world).requested.add(request.node);
  });
  world.onChange(() => {
    const s = stateOf(world);
    const holder = leaseSpec(world)?.holderIdentity;
    if (s.leaseHolder && !holder) {
      checkLeftCordoned(world, s);
      checkLeavesReplaced(world);
    }
    s.leaseHolder = holder;
    const now = world.state.noout;
    for (const domain of s.noout) {
      if (now.includes(domain)) continue;
      const down = osdDown(world, domain);
      if (down.length > 0)
        world.violation(
          'noout-while-away',
          `Ceph noout unset on ${domain} while ${down.join(', ')} (OSD node) is out of service`,
        );
    }
    s.noout = [...now];
  });
}

/** Nothing destructive reached `node` since Drover cordoned it: it is as it was. */
export function untouchedSinceCordon(world: World, node: InventoryNode): boolean {
  if (stateOf(world).touched.has(node.name)) return false;
  const obj = world.store.getView(R.nodes, undefined, node.name);
  // A machine that failed on its own is down, not changed: putting its node back is as it was.
  const downOnItsOwn = world.hasFault('node-down', (f) => 'node' in f && f.node === node.name);
  // The world's own evidence too (it survives a crash of the runner, `touched` does not).
  return (
    obj !== undefined &&
    ((world.vmRunning(node.name) && readyStatus(obj) === 'True') || downOnItsOwn) &&
    (world.context.kind === 'kubernetes' || talosVersionOf(obj) !== world.context.talos.to) &&
    (node.role !== 'controlplane' || world.state.etcd.some((m) => m.node === node.name))
  );
}
