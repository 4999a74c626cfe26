/**
 * The invariants the world judges from store changes made by Drover (through a port or the fake
 * API server): its cordons and uncordons, its pod deletions and evictions, its lease takeovers.
 * The checks of what a cordon took out of service are invariants.ts's.
 */
import { talosPath } from '../../../core/compatibility.js';
import type { InventoryNode } from '../../../core/inventory.js';
import { versionOf } from '../../../core/version.js';
import { selectorMatches, type LabelSelectorObject } from '../kube/http/label-selector.js';
import { podReady } from '../kube/pods.js';
import type { KubeObject } from '../kube/store.js';
import { plantEngineFaults } from './engine-faults.js';
import { noteCordon, untouchedSinceCordon, watchEngineInvariants } from './invariants-engine.js';
import { checkTakenOut, outOfService } from './invariants.js';
import { isCordoned, readyStatus, talosVersionOf } from './nodes.js';
import { R } from './objects.js';
import { isDaemonOrMirror } from './pod-helpers.js';
import { skewedRunnerHolds } from './skewed-runner.js';
import type { World } from './world.js';
import type { StoreHook } from './world-types.js';

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

/** Store changes by Drover: cordon/uncordon, pod deletions, lease takeovers. */
export function invariantStoreHook(world: World): StoreHook {
  const onNode = cordonChecker(world);
  plantEngineFaults(world);
  // After the planted faults: a lease one of them planted is known, so taking it over is judged.
  const onLease = leaseChecker(world);
  watchEngineInvariants(world);
  watchCordonRequests(world);
  const onPod = podRemovalChecker();
  return (world, event, actor) => {
    if (event.resource === R.nodes) onNode(world, event, actor);
    else if (event.resource === R.pods) onPod(world, event, actor);
    else if (event.resource === R.leases) onLease(world, event, actor);
  };
}

/** Drover cordoned a node in service (checked as taken out) or uncordoned one. */
function cordonChecker(world: World): StoreHook {
  const unschedulable = new Map<string, boolean>();
  for (const n of world.store.listView(R.nodes)) unschedulable.set(n.metadata.name, isCordoned(n));
  return (world, event, actor) => {
    const obj = event.object;
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
  };
}

/** Drover deleted or evicted a pod (each pod judged once). */
function podRemovalChecker(): StoreHook {
  const deletionsSeen = new Set<string>();
  return (world, event, actor) => {
    if (actor !== 'drover') return;
    const obj = event.object;
    const deleting = event.type === 'DELETED' || !!obj.metadata.deletionTimestamp;
    if (!deleting || deletionsSeen.has(obj.metadata.uid)) return;
    deletionsSeen.add(obj.metadata.uid);
    checkPodRemoval(world, obj);
  };
}

/** Drover took a lease over from a holder that still held it. */
function leaseChecker(world: World): StoreHook {
  const leases = new Map<string, { holder: string; renew: number; duration: number }>();
  for (const l of world.store.listView(R.leases))
    leases.set(`${l.metadata.namespace}/${l.metadata.name}`, leaseOf(l));
  return (world, event, actor) => {
    const obj = event.object;
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
