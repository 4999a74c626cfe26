import { afterEach, describe, expect, it } from 'vitest';
import type { KubeStore } from '../simulated/kube/store.js';
import { addPod, twoWorkerWorld } from '../../../test/helpers/kube-fixtures.js';
import { startHarness, until, type Harness } from '../../../test/helpers/kube-http-harness.js';
import { ManualClock } from '../../../test/helpers/manual-clock.js';
import { WATCH_IDLE_MS } from './watch-stream.js';

let h: Harness;
afterEach(async () => h?.close());

const CACHED = { cached: true };

function world(store: KubeStore): void {
  twoWorkerWorld(store);
  addPod(store, { namespace: 'apps', name: 'stuck', node: 'w-2', phase: 'Pending' });
}

const requests = (kind: string) => h.server.requestCounts()[kind] ?? 0;

/** A cached read, retried while the cache is out of sync (as a gate would, on a real clock). */
async function eventually<T>(read: () => Promise<T>, holds: (value: T) => boolean): Promise<T> {
  let last: T | undefined;
  const end = Date.now() + 5000;
  for (;;) {
    last = await read().catch(() => undefined);
    if (last !== undefined && holds(last)) return last;
    if (Date.now() > end) throw new Error(`not reached: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('gates read from watch caches', () => {
  it('the cached reads answer what the server answers', async () => {
    h = await startHarness(world);
    const a = h.adapter;
    expect(await a.listNodes(CACHED)).toEqual(await a.listNodes());
    expect(await a.getNode('w-2', CACHED)).toEqual(await a.getNode('w-2'));
    expect(await a.getNode('gone', CACHED)).toBeUndefined();
    expect(await a.workloadAvailability(CACHED)).toEqual(await a.workloadAvailability());
    expect(await a.deploymentStatus('kube-system', 'coredns', CACHED)).toEqual(
      await a.deploymentStatus('kube-system', 'coredns'),
    );
    expect(await a.daemonSetStatus('kube-system', 'cilium', CACHED)).toEqual(
      await a.daemonSetStatus('kube-system', 'cilium'),
    );
    expect(await a.problemPods(CACHED)).toEqual(await a.problemPods());
    expect((await a.problemPods(CACHED)).map((p) => p.name)).toEqual(['stuck']);
    expect(await a.listPodsOnNode('w-1', CACHED)).toEqual(await a.listPodsOnNode('w-1'));
  });

  it('a closed adapter never starts a cache again', async () => {
    h = await startHarness(world);
    await h.adapter.listNodes(CACHED);
    h.adapter.close();
    await expect(h.adapter.listNodes(CACHED)).rejects.toMatchObject({ code: 'KUBE_UNAVAILABLE' });
    await expect(h.adapter.problemPods(CACHED)).rejects.toMatchObject({ code: 'KUBE_UNAVAILABLE' });
    expect(requests('LIST pods')).toBe(0);
  });

  it('lists once, then follows the watch: repeated reads ask the server nothing', async () => {
    h = await startHarness(world);
    await h.adapter.listNodes(CACHED);
    const before = h.server.totalRequests();
    for (let i = 0; i < 5; i++) await h.adapter.listNodes(CACHED);
    expect(h.server.totalRequests()).toBe(before);
    h.store.mutate('nodes', undefined, 'w-1', (n) => (n.spec = { unschedulable: true }));
    const nodes = await eventually(
      () => h.adapter.listNodes(CACHED),
      (ns) => ns.find((n) => n.name === 'w-1')?.unschedulable === true,
    );
    expect(nodes).toHaveLength(2);
    expect(requests('LIST nodes')).toBe(1);
    expect(requests('WATCH nodes')).toBe(1);
  });

  it('relists when the server answers 410 Gone to the re-watch (its watch cache moved on)', async () => {
    const clock = new ManualClock();
    h = await startHarness(world, clock);
    await h.adapter.listNodes(CACHED);
    await until(() => h.server.openWatches() === 1);
    // The server ends the watch and, before the cache re-watches, its own watch cache window
    // (100 events, the oldest past 75 s: watch-window.ts) moves past the cache's version.
    h.server.dropWatches();
    const annotate = (i: number) =>
      h.store.mutate('nodes', undefined, 'w-1', (n) => (n.metadata.annotations = { i: `${i}` }));
    for (let i = 0; i < 100; i++) annotate(i);
    clock.advance(80_000);
    annotate(100);
    annotate(101);
    // The re-watch from the old version is 410 Gone: list again.
    await until(() => requests('LIST nodes') === 2);
    expect(requests('WATCH nodes')).toBeGreaterThanOrEqual(2);
    // And it follows the new watch from there.
    h.store.mutate('nodes', undefined, 'w-2', (n) => (n.metadata.labels = { moved: 'yes' }));
    const nodes = await eventually(
      () => h.adapter.listNodes(CACHED),
      (ns) => ns.find((n) => n.name === 'w-2')?.labels.moved === 'yes',
    );
    expect(nodes).toHaveLength(2);
  });

  it('a cache out of sync (its watch broke, the re-list waits out a backoff) is never read: the read throws, a gate waits', async () => {
    const clock = new ManualClock();
    h = await startHarness(world, clock);
    expect(await h.adapter.workloadAvailability(CACHED)).toHaveLength(2);
    await until(() => h.server.openWatches() === 4);
    h.server.faults.failNextRequests = [
      { pathPrefix: '/apis/apps/v1/deployments', status: 503, count: 1 },
    ];
    h.server.dropWatches();
    await until(() => requests('WATCH deployments') === 2);
    // The re-watch failed: the cache backs off on the clock before it lists again.
    let error: unknown;
    await until(() => {
      h.adapter.workloadAvailability(CACHED).catch((e: unknown) => (error = e));
      return error !== undefined;
    });
    expect(error).toMatchObject({ code: 'KUBE_UNAVAILABLE', retryable: true });
    expect(requests('LIST deployments')).toBe(1);
    // Past the backoff the cache lists, is in sync, and is read again.
    clock.advance(60_000);
    const all = await eventually(
      () => h.adapter.workloadAvailability(CACHED),
      (w) => w.length === 2,
    );
    expect(all.map((w) => w.name)).toEqual(['coredns', 'cilium']);
    expect(requests('LIST deployments')).toBe(2);
  });

  it('a stale cache (half-open watch) never stands in for the fresh read the pre-act check makes', async () => {
    const clock = new ManualClock();
    h = await startHarness(world, clock);
    h.server.faults.halfOpenWatches = 1;
    expect((await h.adapter.getNode('w-1', CACHED))?.unschedulable).toBe(false);
    await until(() => h.server.openWatches() === 1);
    // Cordoned by someone else: the dead watch never tells the cache.
    h.store.mutate('nodes', undefined, 'w-1', (n) => (n.spec = { unschedulable: true }));
    expect((await h.adapter.getNode('w-1', CACHED))?.unschedulable).toBe(false);
    // A read without `cached` (the pre-act check's) asks the server and sees the cordon.
    expect((await h.adapter.getNode('w-1'))?.unschedulable).toBe(true);
    expect((await h.adapter.listNodes()).find((n) => n.name === 'w-1')?.unschedulable).toBe(true);
    // Past the watch's timeout the silence counts as dead: the cache lists again and catches up.
    clock.advance(WATCH_IDLE_MS);
    await until(() => requests('LIST nodes') === 3);
    const node = await eventually(
      () => h.adapter.getNode('w-1', CACHED),
      (n) => n?.unschedulable === true,
    );
    expect(node?.name).toBe('w-1');
  });
});
