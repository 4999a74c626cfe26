/**
 * An index of pods by node, controller and namespace, kept from store events, so that a
 * reconcile pass reads the pods it needs rather than every pod of the cluster (see changes.ts).
 */
import type { KubeObject, KubeStore, StoreEvent } from '../kube/store.js';
import { podReady } from '../kube/pods.js';
import { objectKey } from './changes.js';
import { R } from './objects.js';
import { finished, nodeNameOf } from './pod-helpers.js';

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
