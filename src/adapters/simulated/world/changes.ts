/**
 * What changed since the simulated controllers last ran, and an index of pods, so that a
 * reconcile pass looks at what changed rather than at every pod and node of the cluster: a run
 * makes a few dozen passes per node, and passes that each read every pod made the twin's cost
 * grow with the square of the node count.
 *
 * The controllers stay level-based: `full` (at start, after a fault starts or ends) makes them
 * look at everything, and a pass that is not full covers every object whose inputs changed:
 * the pod itself, its node object, its node's VM (compared field by field before each pass
 * in which the world changed), its controller, and pods a timed world event names.
 */
import type { KubeObject, KubeStore, StoreEvent } from '../kube/store.js';
import { podReady } from '../kube/pods.js';
import { R } from './objects.js';
import { finished } from './pod-helpers.js';
import type { VmState } from './state.js';

export interface PassChanges {
  /** Look at everything (start, resume, a fault's start or end). */
  full: boolean;
  /** Pods written, as `namespace/name`. */
  pods: Set<string>;
  /** Nodes whose node object, VM, or one of whose pods changed. */
  nodes: Set<string>;
  /** Controller uids (ReplicaSet, StatefulSet, DaemonSet, Job) of pods written. */
  owners: Set<string>;
  /** Every object written, as `resource|namespace/name`. */
  objects: Set<string>;
}

export function emptyChanges(full: boolean): PassChanges {
  return { full, pods: new Set(), nodes: new Set(), owners: new Set(), objects: new Set() };
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function nodeNameOf(pod: KubeObject): string | undefined {
  const name = pod.spec?.nodeName;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** Records one store event in `changes`. */
export function recordStoreEvent(changes: PassChanges, event: StoreEvent): void {
  const { metadata } = event.object;
  const key = objectKey(metadata.namespace, metadata.name);
  changes.objects.add(`${event.resource}|${key}`);
  if (event.resource === R.nodes) changes.nodes.add(metadata.name);
  if (event.resource !== R.pods) return;
  changes.pods.add(key);
  const node = nodeNameOf(event.object);
  if (node) changes.nodes.add(node);
  for (const ref of metadata.ownerReferences ?? []) changes.owners.add(ref.uid);
}

/**
 * Remembers what of each VM the controllers read (kubelets, node lifecycle): the machine, its
 * boot and its phase. Ports change VMs in world state, which carries no store event, so every
 * place that replaces a VM or changes its phase or boot calls World.vmTouched, which names the
 * VM here: a collect then compares only the VMs touched since the last one, not every VM of the
 * cluster (which made each reconcile pass cost grow with the node count). Comparing field by
 * field still decides what changed, so a touch that changed nothing costs nothing more.
 */
export class VmWatch {
  private readonly seen = new Map<
    string,
    { vm: VmState | undefined; boot: string; phase: string }
  >();
  /** VMs touched since the last collect; undefined: every VM (nothing collected yet). */
  private touched: Set<string> | undefined;

  /**
   * Tests set this to compare every VM on each collect as well and record in `missed` each
   * change that was not touched: the proof that no write to a VM's watched fields forgets
   * World.vmTouched (recorded, not thrown: a collect may run in a microtask or inside a port).
   */
  static verify = false;
  static readonly missed: string[] = [];

  touch(name: string): void {
    this.touched?.add(name);
  }

  /**
   * Adds to `nodes` every node of `names` whose VM changed since the last call; `all` compares
   * every VM of `names` (a full pass). Returns how many VMs it compared.
   */
  collect(
    vms: Record<string, VmState | undefined>,
    names: Iterable<string>,
    nodes: Set<string>,
    all = false,
  ): number {
    const wanted = this.touched === undefined || all ? names : this.only(names, this.touched);
    if (VmWatch.verify && !all && this.touched !== undefined) this.verifyTouched(vms, names);
    this.touched = new Set();
    let compared = 0;
    for (const name of wanted) {
      compared += 1;
      if (this.changedSinceSeen(vms, name)) nodes.add(name);
    }
    return compared;
  }

  private changedSinceSeen(vms: Record<string, VmState | undefined>, name: string): boolean {
    const vm = vms[name];
    const last = this.seen.get(name);
    if (
      last &&
      last.vm === vm &&
      last.boot === (vm?.bootId ?? '') &&
      last.phase === (vm?.phase ?? '')
    )
      return false;
    this.seen.set(name, { vm, boot: vm?.bootId ?? '', phase: vm?.phase ?? '' });
    return true;
  }

  /** The touched names that are among `names` (a Set is asked directly, not scanned). */
  private only(names: Iterable<string>, touched: Set<string>): string[] {
    if (names instanceof Set) return [...touched].filter((n) => names.has(n));
    const among = new Set(names);
    return [...touched].filter((n) => among.has(n));
  }

  private verifyTouched(vms: Record<string, VmState | undefined>, names: Iterable<string>): void {
    for (const name of names) {
      if (this.touched?.has(name)) continue;
      const vm = vms[name];
      const last = this.seen.get(name);
      const same =
        last !== undefined &&
        last.vm === vm &&
        last.boot === (vm?.bootId ?? '') &&
        last.phase === (vm?.phase ?? '');
      if (!same) VmWatch.missed.push(name);
    }
  }
}

interface Placed {
  namespace: string;
  node: string | undefined;
  owners: string[];
  /** Not finished (Succeeded or Failed): counts towards its controller's pods. */
  active: boolean;
  /** Ready and not being deleted. */
  ready: boolean;
  /** Not finished and not Ready (being deleted or not): a workload's unready pod. */
  unready: boolean;
}

/** A controller's pods that have not finished, and how many of them are ready. */
export interface OwnedCounts {
  all: number;
  ready: number;
}

/** Pods by node, by controller and by namespace, and the unbound ones, kept from store events. */
export class PodIndex {
  private readonly placed = new Map<string, Placed>();
  private readonly byNode = new Map<string, Set<string>>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly byNamespace = new Map<string, Set<string>>();
  private readonly counts = new Map<string, OwnedCounts>();
  private readonly unreadyByOwner = new Map<string, Set<string>>();
  /** Pods not bound to a node and not being deleted (the scheduler's queue). */
  readonly unbound = new Set<string>();
  /**
   * Each pod's place in the store's list order: the store keeps an object where it was created
   * (an update keeps its place, a deletion and a new creation put it last), so a pod's place is
   * its creation count, kept from ADDED events (and from the list order on a rebuild).
   */
  private readonly listOrder = new Map<string, number>();
  private created = 0;

  constructor(private readonly store: KubeStore) {}

  /** Starts over from the store's contents (at start, after a restore). */
  rebuild(): void {
    this.placed.clear();
    this.byNode.clear();
    this.byOwner.clear();
    this.byNamespace.clear();
    this.counts.clear();
    this.unreadyByOwner.clear();
    this.unbound.clear();
    this.listOrder.clear();
    for (const pod of this.store.listView(R.pods)) {
      this.listOrder.set(
        objectKey(pod.metadata.namespace ?? '', pod.metadata.name),
        this.created++,
      );
      this.add(pod);
    }
  }

  apply(event: StoreEvent): void {
    if (event.resource !== R.pods) return;
    const { metadata } = event.object;
    const key = objectKey(metadata.namespace, metadata.name);
    this.remove(key);
    if (event.type === 'DELETED') this.listOrder.delete(key);
    else {
      if (event.type === 'ADDED' || !this.listOrder.has(key))
        this.listOrder.set(key, this.created++);
      this.add(event.object);
    }
  }

  /**
   * Pods bound to `node` in the order the store lists them (what filtering its whole pod list
   * by node gave, at the cost of the node's pods instead of the cluster's).
   */
  onNodeInListOrder(node: string): Readonly<KubeObject>[] {
    const keys = [...(this.byNode.get(node) ?? [])];
    const place = (key: string) => this.listOrder.get(key) ?? Number.MAX_SAFE_INTEGER;
    keys.sort((a, b) => place(a) - place(b));
    return this.resolve(keys);
  }

  /** Pods bound to `node` (stored objects, read-only). */
  onNode(node: string): Readonly<KubeObject>[] {
    return this.resolve(this.byNode.get(node));
  }

  /** How many pods are bound to `node` (the scheduler's spreading). */
  countOnNode(node: string): number {
    return this.byNode.get(node)?.size ?? 0;
  }

  /** The unfinished and the ready pods with an owner reference to `uid`. */
  countsOf(uid: string): OwnedCounts {
    return this.counts.get(uid) ?? { all: 0, ready: 0 };
  }

  /** Pods with an owner reference to `uid` that have not finished and are not Ready. */
  unreadyOwnedBy(uid: string): Readonly<KubeObject>[] {
    return this.resolve(this.unreadyByOwner.get(uid));
  }

  /** Pods with an owner reference to `uid`. */
  ownedBy(uid: string): Readonly<KubeObject>[] {
    return this.resolve(this.byOwner.get(uid));
  }

  inNamespace(namespace: string): Readonly<KubeObject>[] {
    return this.resolve(this.byNamespace.get(namespace));
  }

  /** Pods by `namespace/name` key that still exist. */
  resolve(keys: Iterable<string> | undefined): Readonly<KubeObject>[] {
    const out: Readonly<KubeObject>[] = [];
    for (const key of keys ?? []) {
      const at = key.indexOf('/');
      const pod = this.store.getView(R.pods, key.slice(0, at), key.slice(at + 1));
      if (pod) out.push(pod);
    }
    return out;
  }

  private add(pod: Readonly<KubeObject>): void {
    const namespace = pod.metadata.namespace ?? '';
    const key = objectKey(namespace, pod.metadata.name);
    const placed: Placed = {
      namespace,
      node: nodeNameOf(pod),
      owners: (pod.metadata.ownerReferences ?? []).map((r) => r.uid),
      active: !finished(pod),
      ready: podReady(pod) && !pod.metadata.deletionTimestamp,
      unready: !finished(pod) && !podReady(pod),
    };
    this.placed.set(key, placed);
    if (placed.node) addTo(this.byNode, placed.node, key);
    for (const uid of placed.owners) {
      addTo(this.byOwner, uid, key);
      if (placed.unready) addTo(this.unreadyByOwner, uid, key);
      this.count(uid, placed, 1);
    }
    addTo(this.byNamespace, namespace, key);
    if (!placed.node && !pod.metadata.deletionTimestamp) this.unbound.add(key);
  }

  private remove(key: string): void {
    const placed = this.placed.get(key);
    if (!placed) return;
    this.placed.delete(key);
    if (placed.node) removeFrom(this.byNode, placed.node, key);
    for (const uid of placed.owners) {
      removeFrom(this.byOwner, uid, key);
      if (placed.unready) removeFrom(this.unreadyByOwner, uid, key);
      this.count(uid, placed, -1);
    }
    removeFrom(this.byNamespace, placed.namespace, key);
    this.unbound.delete(key);
  }

  private count(uid: string, placed: Placed, by: 1 | -1): void {
    if (!placed.active) return;
    const counts = this.counts.get(uid) ?? { all: 0, ready: 0 };
    counts.all += by;
    if (placed.ready) counts.ready += by;
    if (counts.all === 0) this.counts.delete(uid);
    else this.counts.set(uid, counts);
  }
}

function addTo(map: Map<string, Set<string>>, at: string, key: string): void {
  const set = map.get(at);
  if (set) set.add(key);
  else map.set(at, new Set([key]));
}

function removeFrom(map: Map<string, Set<string>>, at: string, key: string): void {
  const set = map.get(at);
  if (!set) return;
  set.delete(key);
  if (set.size === 0) map.delete(at);
}
