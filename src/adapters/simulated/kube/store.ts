/**
 * The simulated cluster's Kubernetes state: real Kubernetes JSON objects with a global
 * resourceVersion, change events for subscribers (the fake API server's watches keep their
 * own history: http/watch-window.ts), and snapshot/restore for --world persistence. Both the
 * in-process KubernetesPort and the fake API server read and write through this store, so they
 * see one world.
 */
import type { KubeMetadata, KubeObject, ResourceKey } from './kube-object.js';
import { iso } from './kube-object.js';
import { ReadHooks } from './read-hooks.js';
import { alreadyExistsError, conflictError, notFoundError } from './store-error.js';

export type { KubeMetadata, KubeObject, ResourceKey } from './kube-object.js';
export { iso } from './kube-object.js';
export { StoreError } from './store-error.js';

export const WATCH_EVENT_TYPES = ['ADDED', 'MODIFIED', 'DELETED'] as const;
export type WatchEventType = (typeof WATCH_EVENT_TYPES)[number];

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceKey;
  object: KubeObject;
  resourceVersion: number;
}

export type StoreListener = (event: StoreEvent) => void;

export interface StoreSnapshot {
  resourceVersion: number;
  uidCounter: number;
  objects: { resource: ResourceKey; object: KubeObject }[];
}

export class KubeStore {
  private rv = 1;
  private uidCounter = 0;
  private readonly objects = new Map<ResourceKey, Map<string, KubeObject>>();
  private readonly listeners = new Set<StoreListener>();
  private readonly viewListeners = new Set<StoreListener>();

  private readonly readHooks = new ReadHooks();

  constructor(private readonly now: () => number) {}

  /** Runs `hook` before every copying read (get, list) of `resource` (see ReadHooks). */
  onRead(resource: ResourceKey, hook: () => void): void {
    this.readHooks.add(resource, hook);
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  list(resource: ResourceKey, namespace?: string): KubeObject[] {
    this.readHooks.run(resource);
    const bucket = this.objects.get(resource);
    if (!bucket) return [];
    return [...bucket.values()]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .map(clone);
  }

  /**
   * The stored objects themselves, without copies, for hot in-process readers (the simulated
   * controllers). Read-only: mutating them would bypass resourceVersion and watches.
   */
  listView(resource: ResourceKey, namespace?: string): readonly Readonly<KubeObject>[] {
    const bucket = this.objects.get(resource);
    if (!bucket) return [];
    const all = [...bucket.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** One stored object without a copy; read-only, like listView. */
  getView(
    resource: ResourceKey,
    namespace: string | undefined,
    name: string,
  ): Readonly<KubeObject> | undefined {
    return this.objects.get(resource)?.get(key(namespace, name));
  }

  get(resource: ResourceKey, namespace: string | undefined, name: string): KubeObject | undefined {
    this.readHooks.run(resource);
    const found = this.objects.get(resource)?.get(key(namespace, name));
    return found ? clone(found) : undefined;
  }

  create(
    resource: ResourceKey,
    object: Omit<KubeObject, 'metadata'> & { metadata: Partial<KubeMetadata> & { name: string } },
  ): KubeObject {
    const bucket = this.bucket(resource);
    const k = key(object.metadata.namespace, object.metadata.name);
    if (bucket.has(k)) throw alreadyExistsError(resource, object.metadata.name);
    this.rv += 1;
    this.uidCounter += 1;
    const stored: KubeObject = {
      ...clone(object as KubeObject),
      metadata: {
        ...clone(object.metadata),
        uid:
          object.metadata.uid ??
          `00000000-0000-4000-8000-${String(this.uidCounter).padStart(12, '0')}`,
        resourceVersion: String(this.rv),
        creationTimestamp: object.metadata.creationTimestamp ?? iso(this.now()),
        generation: object.metadata.generation ?? 1,
      } as KubeMetadata,
    };
    bucket.set(k, stored);
    this.emit({ type: 'ADDED', resource, object: clone(stored), resourceVersion: this.rv });
    return clone(stored);
  }

  /**
   * Replaces an object. With `expectedResourceVersion`, a stale version is a 409 Conflict.
   * `bumpGeneration` is for spec changes (status writes keep the generation).
   */
  update(
    resource: ResourceKey,
    object: KubeObject,
    options: { expectedResourceVersion?: string; bumpGeneration?: boolean } = {},
  ): KubeObject {
    const bucket = this.bucket(resource);
    const k = key(object.metadata.namespace, object.metadata.name);
    const current = bucket.get(k);
    if (!current) throw notFoundError(resource, object.metadata.name);
    if (
      options.expectedResourceVersion !== undefined &&
      options.expectedResourceVersion !== current.metadata.resourceVersion
    ) {
      throw conflictError(resource, object.metadata.name);
    }
    this.rv += 1;
    const stored: KubeObject = {
      ...clone(object),
      metadata: {
        ...clone(object.metadata),
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        resourceVersion: String(this.rv),
        generation: (current.metadata.generation ?? 1) + (options.bumpGeneration ? 1 : 0),
      },
    };
    bucket.set(k, stored);
    this.emit({ type: 'MODIFIED', resource, object: clone(stored), resourceVersion: this.rv });
    return clone(stored);
  }

  /** Read-modify-write helper for in-process callers. */
  mutate(
    resource: ResourceKey,
    namespace: string | undefined,
    name: string,
    change: (object: KubeObject) => void,
    options: { bumpGeneration?: boolean } = {},
  ): KubeObject {
    const current = this.get(resource, namespace, name);
    if (!current) throw notFoundError(resource, name);
    change(current);
    return this.update(resource, current, options);
  }

  delete(resource: ResourceKey, namespace: string | undefined, name: string): KubeObject {
    const bucket = this.bucket(resource);
    const k = key(namespace, name);
    const current = bucket.get(k);
    if (!current) throw notFoundError(resource, name);
    bucket.delete(k);
    this.rv += 1;
    const gone = {
      ...clone(current),
      metadata: { ...clone(current.metadata), resourceVersion: String(this.rv) },
    };
    this.emit({ type: 'DELETED', resource, object: gone, resourceVersion: this.rv });
    return gone;
  }

  /** Subscribes to every change from now on. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Subscribes a reader that never changes what it is handed (the simulated cluster's own
   * indexes): it gets the event itself, without a copy of its own.
   */
  subscribeView(listener: StoreListener): () => void {
    this.viewListeners.add(listener);
    return () => this.viewListeners.delete(listener);
  }

  snapshot(): StoreSnapshot {
    const objects: StoreSnapshot['objects'] = [];
    for (const [resource, bucket] of this.objects)
      for (const object of bucket.values()) objects.push({ resource, object: clone(object) });
    return { resourceVersion: this.rv, uidCounter: this.uidCounter, objects };
  }

  /** The snapshot without copies, to serialise at once (read-only, like listView). */
  snapshotView(): StoreSnapshot {
    const objects: StoreSnapshot['objects'] = [];
    for (const [resource, bucket] of this.objects)
      for (const object of bucket.values()) objects.push({ resource, object });
    return { resourceVersion: this.rv, uidCounter: this.uidCounter, objects };
  }

  restore(snapshot: StoreSnapshot): void {
    this.objects.clear();
    this.rv = snapshot.resourceVersion;
    this.uidCounter = snapshot.uidCounter;
    for (const { resource, object } of snapshot.objects)
      this.bucket(resource).set(
        key(object.metadata.namespace, object.metadata.name),
        clone(object),
      );
  }

  private bucket(resource: ResourceKey): Map<string, KubeObject> {
    let bucket = this.objects.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(resource, bucket);
    }
    return bucket;
  }

  private emit(event: StoreEvent): void {
    for (const listener of [...this.viewListeners]) listener(event);
    for (const listener of [...this.listeners]) listener({ ...event, object: clone(event.object) });
  }
}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
