/**
 * The invariants of docs/architecture.md as far as the world can observe them. A breach is recorded when a
 * change made by Drover (through a port or the fake API server) leaves the world in breach: a
 * node that fails on its own shrinks what Drover may take down, but is not itself Drover's
 * breach; Drover adding to it is.
 */
import { talosPath } from '../../../core/compatibility.js';
import { storageDomain, type InventoryNode } from '../../../core/inventory.js';
import { versionOf } from '../../../core/version.js';
import { selectorMatches, type LabelSelectorObject } from '../kube/http/label-selector.js';
import { podReady } from '../kube/pods.js';
import type { KubeObject, StoreEvent } from '../kube/store.js';
import { cephDomainsDown } from './ceph.js';
import { plantEngineFaults } from './engine-faults.js';
import { skewedRunnerHolds } from './skewed-runner.js';
import {
  checkEngineAct,
  noteCordon,
  untouchedSinceCordon,
  watchEngineInvariants,
} from './invariants-engine.js';
import { isCordoned, readyStatus, talosVersionOf } from './nodes.js';
import { R } from './objects.js';
import { isDaemonOrMirror } from './pod-helpers.js';
import type { Actor, World } from './world.js';

/** Cordoned, not Ready, without a VM or with a VM that is not running: out of service. */
export function outOfService(world: World, name: string): boolean {
  const obj = world.store.getView(R.nodes, undefined, name);
  return !obj || isCordoned(obj) || readyStatus(obj) !== 'True' || !world.vmRunning(name);
}

function describe(nodes: InventoryNode[]): string {
  return nodes.map((n) => n.name).join(', ');
}

/**
 * Per world, per node: the workers out of service when Drover sent its cordon request. A worker
 * that fails on its own while the request is under way (after Drover asked, before the API
 * server applied it) is an outside failure Drover could not have seen; one out before is Drover's
 * to count. Drover's own cordons count whenever they landed.
 */
const outWhenCordonSent = new WeakMap<World, Map<string, ReadonlySet<string>>>();

function watchCordonRequests(world: World): void {
  const sent = new Map<string, ReadonlySet<string>>();
  outWhenCordonSent.set(world, sent);
  // Registered after the timed faults: one keyed to this very request strikes before the
  // snapshot, so it counts against Drover (it was there when Drover asked).
  world.onRequest((w, request) => {
    if (request.operation !== 'cordon' || request.node === undefined) return;
    if (request.moment === 'after') sent.delete(request.node);
    else {
      const workers = w.context.inventory.nodes.filter((n) => n.role === 'worker');
      sent.set(
        request.node,
        new Set(workers.filter((n) => outOfService(w, n.name)).map((n) => n.name)),
      );
    }
  });
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

/** Store changes by Drover: cordon/uncordon, pod deletions, lease takeovers. */
export function invariantStoreHook(
  world: World,
): (world: World, event: StoreEvent, actor: Actor) => void {
  const deletionsSeen = new Set<string>();
  const leases = new Map<string, { holder: string; renew: number; duration: number }>();
  const unschedulable = new Map<string, boolean>();
  for (const n of world.store.listView(R.nodes)) unschedulable.set(n.metadata.name, isCordoned(n));
  plantEngineFaults(world);
  for (const l of world.store.listView(R.leases))
    leases.set(`${l.metadata.namespace}/${l.metadata.name}`, leaseOf(l));
  watchEngineInvariants(world);
  watchCordonRequests(world);
  return (world, event, actor) => {
    const obj = event.object;
    if (event.resource === R.nodes) {
      const was = unschedulable.get(obj.metadata.name) ?? false;
      const now = isCordoned(obj) && event.type !== 'DELETED';
      unschedulable.set(obj.metadata.name, now);
      if (actor !== 'drover' || was === now) return;
      const node = world.node(obj.metadata.name);
      if (!node) return;
      if (now) {
        world.state.cordonedAt[node.name] = world.now;
        noteCordon(world, node.name);
        const wasInService = readyStatus(obj) === 'True' && world.vmRunning(node.name);
        if (wasInService)
          checkTakenOut(world, node, `cordon of ${node.name}`, {
            newlyOut: true,
            storage: false,
            outWhenSent: outWhenCordonSent.get(world)?.get(node.name),
          });
      } else checkUncordon(world, node, obj);
      return;
    }
    if (event.resource === R.pods && actor === 'drover') {
      const deleting = event.type === 'DELETED' || !!obj.metadata.deletionTimestamp;
      if (!deleting || deletionsSeen.has(obj.metadata.uid)) return;
      deletionsSeen.add(obj.metadata.uid);
      checkPodRemoval(world, obj);
      return;
    }
    if (event.resource === R.leases) {
      const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
      const previous = leases.get(key);
      const next = leaseOf(obj);
      if (event.type === 'DELETED') leases.delete(key);
      else leases.set(key, next);
      if (
        actor === 'drover' &&
        event.type === 'MODIFIED' &&
        previous &&
        previous.holder !== '' &&
        next.holder !== '' &&
        previous.holder !== next.holder &&
        // Live by its record on the world's clock, or by the world's truth: another runner
        // with a skewed clock writes renewTimes that look stale while it is alive.
        (previous.renew + previous.duration * 1000 > world.now ||
          skewedRunnerHolds(world, previous.holder))
      )
        world.violation(
          'single-lease-holder',
          `lease ${key} taken by ${next.holder} while ${previous.holder} still held it`,
        );
    }
  };
}

function leaseOf(obj: KubeObject): { holder: string; renew: number; duration: number } {
  const spec = (obj.spec ?? {}) as {
    holderIdentity?: string;
    renewTime?: string;
    leaseDurationSeconds?: number;
  };
  return {
    holder: spec.holderIdentity ?? '',
    renew: spec.renewTime ? Date.parse(spec.renewTime) : 0,
    duration: spec.leaseDurationSeconds ?? 0,
  };
}

function checkUncordon(world: World, node: InventoryNode, obj: KubeObject): void {
  // On a stop, a node nothing destructive touched is put back as it was (invariant uncordon-when-done).
  if (untouchedSinceCordon(world, node)) return;
  const { kind, talos, kubernetes } = world.context;
  const kubelet = (
    (obj.status?.nodeInfo as { kubeletVersion?: string } | undefined)?.kubeletVersion ?? ''
  ).replace(/^v/, '');
  const version = talosVersionOf(obj);
  // A multi-hop route uncordons each node at every hop the compatibility data names on the way.
  const hops = talosPath(versionOf(talos.from), versionOf(talos.to)) ?? [];
  if (kind !== 'kubernetes' && version !== talos.to && !hops.includes(version ?? ''))
    world.violation(
      'uncordon-when-done',
      `${node.name} uncordoned at Talos ${version ?? 'unknown'}, below the target ${talos.to}`,
    );
  if (kind === 'kubernetes' && kubelet !== kubernetes.to)
    world.violation(
      'uncordon-when-done',
      `${node.name} uncordoned at kubelet ${kubelet}, below the target ${kubernetes.to}`,
    );
  if (readyStatus(obj) !== 'True')
    world.violation('uncordon-when-done', `${node.name} uncordoned while not Ready`);
}

function checkPodRemoval(world: World, pod: KubeObject): void {
  const ref = `${pod.metadata.namespace}/${pod.metadata.name}`;
  if (isDaemonOrMirror(pod)) {
    world.violation(
      'drain-honours-pdbs',
      `${ref} (a DaemonSet or mirror pod) was evicted or deleted`,
    );
    return;
  }
  if (!podReady(pod)) return;
  const pdb = world.store
    .listView(R.pdbs, pod.metadata.namespace)
    .find((p) =>
      selectorMatches(p.spec?.selector as LabelSelectorObject | undefined, pod.metadata.labels),
    );
  if (!pdb) return;
  const status = (pdb.status ?? {}) as {
    disruptionsAllowed?: number;
    disruptedPods?: Record<string, string>;
  };
  if (status.disruptedPods?.[pod.metadata.name] !== undefined) return;
  if ((status.disruptionsAllowed ?? 0) > 0) return;
  const { drain } = world.context.policy;
  const node = String(pod.spec?.nodeName ?? '');
  const since = world.state.cordonedAt[node];
  const inWindow = since === undefined || world.now - since < drain.gracefulSeconds * 1000;
  if (!drain.forceAfterGrace || inWindow)
    world.violation(
      'drain-honours-pdbs',
      `${ref} deleted against PDB ${pdb.metadata.name} ${drain.forceAfterGrace ? 'inside the graceful window' : '(policy forbids force)'}`,
    );
}
