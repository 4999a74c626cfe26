import { afterEach, describe, expect, it } from 'vitest';
import { addNode } from '../../../test/helpers/kube-fixtures.js';
import { startHarness, until, type Harness } from '../../../test/helpers/kube-http-harness.js';
import { ManualClock } from '../../../test/helpers/manual-clock.js';

let h: Harness;
afterEach(async () => h?.close());

const seed = (store: Parameters<typeof addNode>[0]) => {
  addNode(store, { name: 'cp-1', controlPlane: true });
  addNode(store, {
    name: 'w-1',
    allocatable: { 'nvidia.com/gpu': '1' },
    labels: { 'nvidia.com/gpu.present': 'true' },
  });
};

describe('nodes over HTTP', () => {
  it('reads a node with its Talos and kubelet versions, GPU labels and allocatable', async () => {
    h = await startHarness(seed);
    const node = await h.adapter.getNode('w-1');
    expect(node).toMatchObject({
      name: 'w-1',
      ready: 'True',
      unschedulable: false,
      osImage: 'Talos (v1.10.8)',
      talosVersion: '1.10.8',
      kubeletVersion: '1.33.5',
      labels: { 'nvidia.com/gpu.present': 'true' },
      allocatable: { 'nvidia.com/gpu': '1' },
    });
    expect(node?.resourceVersion).toBe(
      h.store.get('nodes', undefined, 'w-1')?.metadata.resourceVersion,
    );
    expect(await h.adapter.getNode('nope')).toBeUndefined();
    expect((await h.adapter.listNodes()).map((n) => n.name)).toEqual(['cp-1', 'w-1']);
    expect(h.server.requestCounts()).toMatchObject({ 'GET nodes': 2, 'LIST nodes': 1 });
  });

  it("lists nodes in pages of 500 (limit + continue), as client-go's pager does", async () => {
    h = await startHarness((store) => {
      for (let i = 1; i <= 1200; i++) addNode(store, { name: `w-${String(i).padStart(4, '0')}` });
    });
    const nodes = await h.adapter.listNodes();
    expect(nodes).toHaveLength(1200);
    expect(new Set(nodes.map((n) => n.name)).size).toBe(1200);
    expect(h.server.requestCounts()).toMatchObject({ 'LIST nodes': 3 });
  });

  it('cordons and uncordons with merge patches the fake accepts as a real server would', async () => {
    h = await startHarness(seed);
    await h.adapter.cordon('w-1');
    expect(h.store.get('nodes', undefined, 'w-1')?.spec).toEqual({ unschedulable: true });
    expect((await h.adapter.getNode('w-1'))?.unschedulable).toBe(true);
    await h.adapter.uncordon('w-1');
    // Absent when schedulable, as on a real node.
    expect(h.store.get('nodes', undefined, 'w-1')?.spec).toEqual({});
    expect(h.server.requestCounts()['PATCH nodes']).toBe(2);
    await expect(h.adapter.cordon('ghost')).rejects.toMatchObject({
      code: 'KUBE_REQUEST_FAILED',
      details: { status: 404 },
    });
  });

  it('waits for a node through a watch, not polling', async () => {
    h = await startHarness(seed);
    const waiting = h.adapter.waitForNode('w-1', (n) => n?.kubeletVersion === '1.34.1', {
      timeoutMs: 60_000,
    });
    await until(() => h.server.openWatches() === 1);
    setReadyVersion(h, 'w-1', 'v1.34.0'); // an unrelated change first
    setReadyVersion(h, 'w-1', 'v1.34.1');
    expect((await waiting)?.kubeletVersion).toBe('1.34.1');
    expect(h.server.requestCounts()).toMatchObject({ 'LIST nodes': 1, 'WATCH nodes': 1 });
    // Already true: answered from the list, no watch needed.
    await h.adapter.waitForNode('w-1', (n) => n?.ready === 'True', { timeoutMs: 1000 });
    expect(h.server.requestCounts()['WATCH nodes']).toBe(1);
  });

  it('re-establishes a watch the server drops mid-wait, from the last resourceVersion', async () => {
    h = await startHarness(seed);
    const waiting = h.adapter.waitForNode('w-1', (n) => n?.ready === 'False', {
      timeoutMs: 60_000,
    });
    await until(() => h.server.openWatches() === 1);
    h.store.mutate(
      'nodes',
      undefined,
      'w-1',
      (n) => (n.metadata.labels = { ...n.metadata.labels, seen: 'yes' }),
    );
    await until(() => h.server.totalRequests() >= 2);
    expect(h.server.dropWatches()).toBe(1);
    await until(
      () => h.server.openWatches() === 1 && h.server.requestCounts()['WATCH nodes'] === 2,
    );
    setCondition(h, 'w-1', 'False');
    expect((await waiting)?.ready).toBe('False');
    expect(h.server.requestCounts()).toMatchObject({ 'LIST nodes': 1, 'WATCH nodes': 2 });
  });

  it('keeps waiting across a server that closes every watch after one event', async () => {
    h = await startHarness(seed);
    h.server.faults.dropWatchesAfterEvents = 1;
    const waiting = h.adapter.waitForNode('w-1', (n) => n?.labels.step === '3', {
      timeoutMs: 60_000,
    });
    for (const step of ['1', '2', '3']) {
      await until(() => h.server.openWatches() === 1);
      h.store.mutate(
        'nodes',
        undefined,
        'w-1',
        (n) => (n.metadata.labels = { ...n.metadata.labels, step }),
      );
      await until(() => h.server.openWatches() === 0 || step === '3');
    }
    expect((await waiting)?.labels.step).toBe('3');
    expect(h.server.requestCounts()).toMatchObject({ 'LIST nodes': 1, 'WATCH nodes': 3 });
  });

  it('re-lists when the resumed watch answers 410 Expired', async () => {
    const clock = new ManualClock();
    h = await startHarness(seed, clock);
    const waiting = h.adapter.waitForNode('w-1', (n) => n === undefined, {
      timeoutMs: 3_600_000,
    });
    await until(() => h.server.openWatches() === 1);
    // The changes run synchronously, before the client can reconnect: the watch cache's window
    // (100 events, older than 75 s: watch-window.ts) no longer reaches the watch's version and
    // the resumed watch gets the 410 ERROR event.
    h.server.dropWatches();
    const annotate = (i: number) =>
      h.store.mutate('nodes', undefined, 'cp-1', (n) => (n.metadata.annotations = { i: `${i}` }));
    for (let i = 0; i < 100; i += 1) annotate(i);
    clock.advance(80_000);
    annotate(100);
    annotate(101);
    h.store.delete('nodes', undefined, 'w-1');
    expect(await waiting).toBeUndefined();
    expect(h.server.requestCounts()).toMatchObject({ 'LIST nodes': 2, 'WATCH nodes': 2 });
  });

  it('rejects with WAIT_TIMEOUT past the deadline', async () => {
    h = await startHarness(seed);
    await expect(
      h.adapter.waitForNode('w-1', () => false, { timeoutMs: 2000 }),
    ).rejects.toMatchObject({
      code: 'WAIT_TIMEOUT',
    });
    await until(() => h.server.openWatches() === 0);
  });

  it('stops waiting when the signal aborts', async () => {
    h = await startHarness(seed);
    const abort = new AbortController();
    const waiting = h.adapter.waitForNode('w-1', () => false, {
      timeoutMs: 60_000,
      signal: abort.signal,
    });
    abort.abort(new Error('operator abort'));
    await expect(waiting).rejects.toThrow('operator abort');
  });
});

function setReadyVersion(harness: Harness, name: string, kubelet: string): void {
  harness.store.mutate('nodes', undefined, name, (n) => {
    (n.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion = kubelet;
  });
}

function setCondition(harness: Harness, name: string, status: string): void {
  harness.store.mutate('nodes', undefined, name, (n) => {
    (n.status as { conditions: { type: string; status: string }[] }).conditions = [
      { type: 'Ready', status },
    ];
  });
}
