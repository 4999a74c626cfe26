/**
 * Watches as the real API server serves them: 200 with headers at once, chunked, one JSON event
 * per line as changes happen; RV unset/"0" first replays every object as ADDED; a specific RV
 * resumes after it, or answers a single 410 ERROR event and closes when the resource's watch
 * cache window (watch-window.ts) no longer reaches it; timeoutSeconds and bookmarks run on the
 * server's timers (the simulated clock under `drover simulate`);
 * with selectors an object that stops matching is DELETED and one that starts matching ADDED;
 * the stream closes after timeoutSeconds; BOOKMARK events when asked for (allowWatchBookmarks); a
 * resourceVersion ahead of the store waits for it (a watch-list request gets a 504 "Too large
 * resource version" ERROR event instead). Faults:
 * `dropAll` ends streams mid-wait; half-open watches deliver nothing and never close.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject, KubeStore, StoreEvent } from '../store.js';
import { groupVersion, type ResourceDef } from './resources.js';
import type { Matcher } from './selection.js';
import { statusFailure, tooLargeResourceVersion } from './status.js';
import { realTimer, type Cancel, type WatchHubOptions } from './watch-options.js';
import { SelectorTransitions } from './watch-transitions.js';
import { WatchWindow } from './watch-window.js';

export type { WatchHubOptions } from './watch-options.js';

interface Stream {
  def: ResourceDef;
  namespace: string | undefined;
  matcher: Matcher;
  res: ServerResponse;
  /** Cancels the close at timeoutSeconds. */
  timer: Cancel;
  /** Table watches (kubectl get -w) carry each object as a one-row Table. */
  present: (object: KubeObject) => unknown;
  sent: number;
  /** A half-open connection: nothing is delivered and the server never closes it. */
  halfOpen: boolean;
  bookmarks: Cancel | undefined;
  /** Only events after this resourceVersion (one asked for ahead of the store waits for it). */
  after: number;
}

export class WatchHub {
  private readonly streams = new Set<Stream>();
  private readonly transitions: SelectorTransitions;
  /** Per resource, what a watch can resume from (the watch cache's history). */
  private readonly windows = new Map<string, WatchWindow>();
  private readonly listVersion: number;
  private readonly unsubscribe: () => void;

  private readonly dropAfterEvents: () => number | undefined;
  private readonly after: (ms: number, fire: () => void) => Cancel;
  private readonly now: () => number;

  constructor(
    private readonly store: KubeStore,
    private readonly options: WatchHubOptions = {},
  ) {
    this.dropAfterEvents = options.dropAfterEvents ?? (() => undefined);
    this.after = options.after ?? realTimer;
    this.now = options.now ?? Date.now;
    this.transitions = new SelectorTransitions(store);
    this.listVersion = Number(store.resourceVersion);
    this.unsubscribe = store.subscribe((event) => this.onEvent(event));
  }

  get openCount(): number {
    return this.streams.size;
  }

  open(
    res: ServerResponse,
    def: ResourceDef,
    namespace: string | undefined,
    matcher: Matcher,
    query: URLSearchParams,
    present: (object: KubeObject) => unknown = (o) => o,
  ): void {
    const rvText = query.get('resourceVersion') ?? '';
    const fromVersion = rvText === '' || rvText === '0' ? undefined : Number(rvText);
    if (fromVersion !== undefined && !Number.isInteger(fromVersion)) {
      const s = statusFailure(400, 'BadRequest', `invalid resource version: ${rvText}`);
      res.writeHead(s.code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(s.body));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    // A version the store has not reached. A plain watch is accepted and waits for it: the
    // watch cache checks only for a too OLD version (watch_cache.go getAllEventsSinceLocked)
    // and delivers events after the one asked for. Only a watch-list request
    // (sendInitialEvents=true) waits for the cache to be fresh (cacher.go
    // waitUntilWatchCacheFreshAndForceAllEvents, 3 s) and then, past parsing, fails as a watch
    // event: an ERROR event carrying the 504 in this 200 stream (cacher.go newErrWatcher),
    // never an HTTP 504 (that is what a LIST or GET at such a version gets). kubernetes/kubernetes
    // staging/src/k8s.io/apiserver/pkg/storage/cacher at 68afedf6 (watch_cache.go at 00f3bd44).
    const current = Number(this.store.resourceVersion);
    if (
      fromVersion !== undefined &&
      fromVersion > current &&
      query.get('sendInitialEvents') === 'true'
    ) {
      const error = tooLargeResourceVersion(fromVersion, current);
      res.write(JSON.stringify({ type: 'ERROR', object: error.body }) + '\n');
      res.end();
      return;
    }
    const stream = this.register({ res, def, namespace, matcher, present }, query, fromVersion);
    this.replay(stream, fromVersion);
  }

  /** Opens the stream: its close at timeoutSeconds, its bookmarks, its faults. */
  private register(
    target: Pick<Stream, 'res' | 'def' | 'namespace' | 'matcher' | 'present'>,
    query: URLSearchParams,
    fromVersion: number | undefined,
  ): Stream {
    const timeoutText = query.get('timeoutSeconds');
    const timeoutMs =
      timeoutText !== null ? Number(timeoutText) * 1000 : 1800_000 * (1 + Math.random());
    const stream: Stream = {
      ...target,
      sent: 0,
      halfOpen: this.options.takeHalfOpen?.() ?? false,
      bookmarks: undefined,
      after: fromVersion ?? 0,
      timer: () => undefined,
    };
    // A dead connection: the request got through, nothing comes back, nothing closes it.
    if (!stream.halfOpen) stream.timer = this.after(timeoutMs, () => this.end(stream));
    const bookmarks = query.get('allowWatchBookmarks') === 'true';
    if (bookmarks && !stream.halfOpen) this.scheduleBookmark(stream);
    // Registered first so that the replay below counts toward the drop fault like live events.
    this.streams.add(stream);
    stream.res.on('close', () => this.end(stream));
    return stream;
  }

  /**
   * What the stream starts with: every matching object as ADDED (no version asked for), else
   * the events after the version, or a 410 ERROR event when the window no longer reaches it.
   */
  private replay(stream: Stream, fromVersion: number | undefined): void {
    const { def, namespace, matcher, res } = stream;
    if (fromVersion === undefined) {
      for (const o of this.store.list(def.key, namespace))
        if (matcher(o))
          this.deliver(stream, { type: 'ADDED', resource: def.key, object: o, resourceVersion: 0 });
      return;
    }
    const events = this.window(def.key).since(fromVersion);
    if (!Array.isArray(events)) {
      const error = statusFailure(
        410,
        'Expired',
        `too old resource version: ${fromVersion} (${events.tooOld})`,
      );
      res.write(JSON.stringify({ type: 'ERROR', object: error.body }) + '\n');
      this.end(stream);
      return;
    }
    for (const e of events) this.deliver(stream, e);
  }

  /** Ends every open watch cleanly, as a server restart or timeout would. */
  dropAll(): number {
    const count = this.streams.size;
    for (const s of [...this.streams]) this.end(s);
    return count;
  }

  close(): void {
    this.dropAll();
    this.unsubscribe();
  }

  private window(resource: string): WatchWindow {
    let w = this.windows.get(resource);
    if (w === undefined) {
      w = new WatchWindow(this.listVersion, this.now);
      this.windows.set(resource, w);
    }
    return w;
  }

  private goHalfOpen(stream: Stream): void {
    stream.halfOpen = true;
    stream.timer();
    stream.bookmarks?.();
  }

  private scheduleBookmark(stream: Stream): void {
    stream.bookmarks = this.after(this.options.bookmarkEveryMs?.() ?? 60_000, () => {
      this.bookmark(stream);
      if (this.streams.has(stream) && !stream.halfOpen) this.scheduleBookmark(stream);
    });
  }

  /** BOOKMARK: only `metadata.resourceVersion`, in the watched kind (api-concepts). */
  private bookmark(stream: Stream): void {
    if (!stream.halfOpen && this.options.unreachable?.()) this.goHalfOpen(stream);
    if (stream.res.writableEnded || stream.halfOpen) return;
    const object = {
      kind: stream.def.kind,
      apiVersion: groupVersion(stream.def),
      metadata: { resourceVersion: this.store.resourceVersion },
    };
    stream.res.write(JSON.stringify({ type: 'BOOKMARK', object }) + '\n');
  }

  private end(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    stream.timer();
    stream.bookmarks?.();
    if (!stream.res.writableEnded) stream.res.end();
  }

  private onEvent(event: StoreEvent): void {
    this.transitions.record(event);
    this.window(event.resource).add(event);
    for (const s of this.streams) if (s.def.key === event.resource) this.deliver(s, event);
  }

  private deliver(stream: Stream, event: StoreEvent): void {
    const o = event.object;
    if (event.resourceVersion !== 0 && event.resourceVersion <= stream.after) return;
    if (stream.namespace !== undefined && o.metadata.namespace !== stream.namespace) return;
    if (!stream.halfOpen && this.options.unreachable?.()) this.goHalfOpen(stream);
    const seen = this.transitions.seen(stream.matcher, event);
    if (!seen || stream.res.writableEnded || stream.halfOpen) return;
    stream.res.write(
      JSON.stringify({ type: seen.type, object: stream.present(seen.object) }) + '\n',
    );
    stream.sent += 1;
    const limit = this.dropAfterEvents();
    if (limit !== undefined && stream.sent >= limit) this.end(stream);
  }
}
