/**
 * An informer's store: one collection listed once, then kept current by a watch (list-watch.ts:
 * re-watch from the last resourceVersion, re-list on 410 Gone, a half-open watch or a failure).
 * Started by the first read, which waits for the first list, as an informer's WaitForCacheSync.
 * A cache is read only while in sync: while it re-lists a read waits for that list, and after a
 * failed list (or before the re-list after a broken watch got going) a read throws
 * KUBE_UNAVAILABLE, which a gate takes as unknown: it waits, it never passes on it.
 *
 * Not for the re-check right before a destructive call: a watch delivers changes a little after
 * they happen (and a half-open one not at all until WATCH_IDLE_MS), so those read the API server.
 *
 * Not client-node's makeInformer/ListWatch: it stops for good on any failure but a 410 (a list
 * failing while the API server's node is replaced would end it), asks for no timeoutSeconds and
 * so has no guard against a half-open watch, runs on no clock of ours, and says nothing of
 * whether it is in sync (@kubernetes/client-node 1.4.0 dist/cache.js doneHandler).
 */
import { DroverError } from '../../core/errors.js';
import type { KubeClient } from './client.js';
import { runListWatch } from './list-watch.js';
import type { WatchedObject } from './watch-stream.js';
import { objectKey } from './watch-wait.js';

export interface WatchCacheSpec {
  /** Collection path, e.g. /api/v1/nodes or /apis/apps/v1/deployments. */
  path: string;
  query?: Record<string, string>;
  list: () => Promise<{ items: WatchedObject[]; resourceVersion: string }>;
  what: string;
}

/** `closed`: the adapter was closed; the cache never starts again. */
type State = 'stopped' | 'listing' | 'synced' | 'out-of-sync' | 'closed';

export class WatchCache {
  private readonly objects = new Map<string, WatchedObject>();
  private state: State = 'stopped';
  private stop = new AbortController();
  private lastError: unknown;
  /** Readers waiting for the list in flight. */
  private waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly client: KubeClient,
    private readonly spec: WatchCacheSpec,
  ) {}

  get synced(): boolean {
    return this.state === 'synced';
  }

  /** The objects as the cache holds them now; throws while it is not in sync. */
  async read(): Promise<WatchedObject[]> {
    if (this.state === 'stopped') this.start();
    if (this.state === 'listing')
      await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    if (this.state !== 'synced') throw this.notSynced();
    return [...this.objects.values()];
  }

  close(): void {
    this.stop.abort();
    this.state = 'closed';
    this.settleWaiting(this.notSynced());
  }

  private start(): void {
    this.stop = new AbortController();
    const stop = this.stop;
    this.state = 'listing';
    const { client, spec } = this;
    runListWatch({
      client,
      path: spec.path,
      query: spec.query ?? {},
      list: async () => {
        // The loop lists after a broken watch: readers from now on wait for that list.
        if (!stop.signal.aborted) this.state = 'listing';
        return spec.list();
      },
      what: spec.what,
      stop: stop.signal,
      onList: (items) => {
        this.objects.clear();
        for (const o of items) this.objects.set(objectKey(o), o);
        this.state = 'synced';
        this.settleWaiting();
      },
      onEvent: (type, object) => {
        if (type === 'DELETED') this.objects.delete(objectKey(object));
        else this.objects.set(objectKey(object), object);
      },
      onOutOfSync: (error) => {
        if (this.state === 'closed') return;
        this.state = 'out-of-sync';
        this.lastError = error;
        this.settleWaiting(this.notSynced());
      },
    }).then(
      () => undefined,
      // A refusal (403, 400): stopped; the next read starts it again and meets the same answer.
      (error: unknown) => {
        if (stop !== this.stop || this.state === 'closed') return;
        this.state = 'stopped';
        this.settleWaiting(error);
      },
    );
  }

  private settleWaiting(error?: unknown): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting)
      if (error === undefined) w.resolve();
      else w.reject(error);
  }

  private notSynced(): DroverError {
    const cause = this.lastError instanceof Error ? `: ${this.lastError.message}` : '';
    return new DroverError(
      'failed',
      'KUBE_UNAVAILABLE',
      `The watch cache of ${this.spec.what} is not in sync (its watch broke or its list failed)${cause}`,
      {
        hint: 'Drover lists again and waits; check the control plane if it persists.',
        details: { what: this.spec.what },
      },
    );
  }
}
