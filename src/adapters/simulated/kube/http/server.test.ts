import { afterEach, describe, expect, it } from 'vitest';
import { addNode, addPod } from '../../../../../test/helpers/kube-fixtures.js';
import { until } from '../../../../../test/helpers/kube-http-harness.js';
import { KubeStore } from '../store.js';
import { startFakeApiServer, type FakeApiServer } from './server.js';

let server: FakeApiServer;
let store: KubeStore;
/** How far the server's clock is ahead of real time (its watch cache ages events by it). */
let aheadMs = 0;
afterEach(async () => server?.close());

async function start(): Promise<void> {
  store = new KubeStore(() => Date.now());
  addNode(store, { name: 'w-1' });
  addNode(store, { name: 'w-2' });
  addPod(store, {
    namespace: 'apps',
    name: 'a',
    node: 'w-1',
    labels: { app: 'web', tier: 'front' },
  });
  addPod(store, { namespace: 'apps', name: 'b', node: 'w-2', labels: { app: 'web' } });
  addPod(store, {
    namespace: 'ops',
    name: 'c',
    node: 'w-1',
    labels: { app: 'tool' },
    phase: 'Failed',
  });
  aheadMs = 0;
  server = await startFakeApiServer({ store, now: () => Date.now() + aheadMs });
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(server.url + path, {
    headers: { Authorization: `Bearer ${server.token}`, ...headers },
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown> & {
      items?: { metadata: { name: string } }[];
    },
  };
}

/** Opens a watch and collects its events; resolves once the headers arrived. */
async function watch(path: string) {
  const abort = new AbortController();
  const res = await fetch(server.url + path, {
    signal: abort.signal,
    headers: { Authorization: `Bearer ${server.token}` },
  });
  const events: {
    type: string;
    object: {
      metadata: { name: string; resourceVersion: string };
      code?: number;
      message?: string;
    };
  }[] = [];
  let ended = false;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, nl)));
          buffer = buffer.slice(nl + 1);
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  return { res, events, ended: () => ended, stop: () => abort.abort() };
}

const names = (r: { body: { items?: { metadata: { name: string } }[] } }) =>
  r.body.items?.map((i) => i.metadata.name);

describe('fake API server: reads', () => {
  it('lists with field and label selectors, and refuses unsupported fields as the server does', async () => {
    await start();
    expect(names(await get('/api/v1/pods?fieldSelector=spec.nodeName%3Dw-1'))).toEqual(['a', 'c']);
    expect(names(await get('/api/v1/namespaces/apps/pods?labelSelector=tier%3Dfront'))).toEqual([
      'a',
    ]);
    expect(names(await get('/api/v1/pods?labelSelector=app%20in%20(web,tool),!tier'))).toEqual([
      'b',
      'c',
    ]);
    expect(names(await get('/api/v1/pods?fieldSelector=status.phase!%3DRunning'))).toEqual(['c']);
    expect(names(await get('/api/v1/nodes?fieldSelector=spec.unschedulable%3Dfalse'))).toEqual([
      'w-1',
      'w-2',
    ]);
    const bad = await get('/api/v1/pods?fieldSelector=spec.priority%3D1');
    expect(bad).toMatchObject({
      status: 400,
      body: {
        kind: 'Status',
        reason: 'BadRequest',
        message: 'field label not supported: spec.priority',
      },
    });
    const list = await get('/api/v1/pods');
    expect(list.body).toMatchObject({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: store.resourceVersion },
    });
    expect((await get('/apis/apps/v1/deployments')).body).toMatchObject({
      kind: 'DeploymentList',
      items: [],
    });
  });

  it('pages with limit and continue', async () => {
    await start();
    const first = await get('/api/v1/pods?limit=2');
    expect(names(first)).toEqual(['a', 'b']);
    const meta = first.body.metadata as { continue: string; remainingItemCount: number };
    expect(meta.remainingItemCount).toBe(1);
    expect(
      names(await get(`/api/v1/pods?limit=2&continue=${encodeURIComponent(meta.continue)}`)),
    ).toEqual(['c']);
  });

  it('answers errors as Status objects, always application/json', async () => {
    await start();
    expect(await get('/api/v1/namespaces/apps/pods/zzz')).toMatchObject({
      status: 404,
      type: 'application/json',
      body: {
        kind: 'Status',
        reason: 'NotFound',
        message: 'pods "zzz" not found',
        details: { name: 'zzz', kind: 'pods' },
      },
    });
    expect((await get('/apis/coordination.k8s.io/v1/namespaces/x/leases/l')).body).toMatchObject({
      message: 'leases.coordination.k8s.io "l" not found',
      details: { group: 'coordination.k8s.io', kind: 'leases' },
    });
    expect((await get('/api/v1/nodes', { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get('/apis/example.com/v1/things')).status).toBe(404);
  });

  it('serves discovery with policy/v1 eviction, /version and /readyz', async () => {
    await start();
    const core = await get('/api/v1');
    expect(core.body.resources).toContainEqual({
      name: 'pods/eviction',
      singularName: '',
      namespaced: true,
      group: 'policy',
      version: 'v1',
      kind: 'Eviction',
      verbs: ['create'],
    });
    const groups = (await get('/apis')).body.groups as { name: string }[];
    expect(groups.map((g) => g.name)).toEqual([
      'apps',
      'policy',
      'coordination.k8s.io',
      'ceph.rook.io',
      'helm.toolkit.fluxcd.io',
    ]);
    expect((await get('/version')).body).toMatchObject({
      major: '1',
      minor: '33',
      gitVersion: 'v1.33.5',
    });
    const ready = await fetch(`${server.url}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ok']);
    expect(server.requestCounts()).toMatchObject({
      'GET discovery': 2,
      'GET /version': 1,
      'GET /readyz': 1,
    });
  });

  it('prints Tables for kubectl', async () => {
    await start();
    store.mutate('nodes', undefined, 'w-2', (n) => (n.spec = { unschedulable: true }));
    const table = await get('/api/v1/nodes', {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(table.body.kind).toBe('Table');
    const rows = table.body.rows as { cells: unknown[] }[];
    expect(rows.map((r) => r.cells.slice(0, 2))).toEqual([
      ['w-1', 'Ready'],
      ['w-2', 'Ready,SchedulingDisabled'],
    ]);
  });
});

describe('fake API server: watches', () => {
  it('sends headers at once, replays ADDED for resourceVersion 0, then streams changes', async () => {
    await start();
    const w = await watch('/api/v1/nodes?watch=true');
    expect(w.res.status).toBe(200);
    expect(w.res.headers.get('content-type')).toBe('application/json');
    await until(() => w.events.length === 2);
    expect(w.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED w-1',
      'ADDED w-2',
    ]);
    store.mutate('nodes', undefined, 'w-1', (n) => (n.spec = { unschedulable: true }));
    await until(() => w.events.length === 3);
    expect(w.events[2]).toMatchObject({
      type: 'MODIFIED',
      object: { metadata: { name: 'w-1', resourceVersion: store.resourceVersion } },
    });
    w.stop();
  });

  it('resumes after a resourceVersion with only later changes', async () => {
    await start();
    const from = store.resourceVersion;
    store.delete('pods', 'apps', 'b');
    const w = await watch(`/api/v1/namespaces/apps/pods?watch=1&resourceVersion=${from}`);
    await until(() => w.events.length === 1);
    expect(w.events[0]).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'b' } } });
    w.stop();
  });

  it('turns selector transitions into DELETED and ADDED', async () => {
    await start();
    const w = await watch(
      `/api/v1/pods?watch=true&labelSelector=tier%3Dfront&resourceVersion=${store.resourceVersion}`,
    );
    store.mutate('pods', 'apps', 'b', (p) => (p.metadata.labels = { app: 'web', tier: 'front' }));
    store.mutate('pods', 'apps', 'a', (p) => (p.metadata.labels = { app: 'web' }));
    store.mutate('pods', 'ops', 'c', (p) => (p.metadata.labels = { app: 'other' }));
    await until(() => w.events.length === 2);
    expect(w.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual([
      'ADDED b',
      'DELETED a',
    ]);
    w.stop();
  });

  it('answers a too-old resourceVersion with one 410 ERROR event and closes', async () => {
    await start();
    const old = store.resourceVersion;
    const annotate = (i: number) =>
      store.mutate('nodes', undefined, 'w-2', (n) => (n.metadata.annotations = { i: String(i) }));
    // The watch cache's window (100 events) is full, and its events older than 75 s: the two
    // next events push the oldest out (watch_cache.go at 00f3bd44, see watch-window.ts).
    for (let i = 0; i < 100; i += 1) annotate(i);
    aheadMs = 80_000;
    annotate(100);
    annotate(101);
    const w = await watch(`/api/v1/nodes?watch=true&resourceVersion=${old}`);
    expect(w.res.status).toBe(200);
    await until(() => w.ended());
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({
      type: 'ERROR',
      object: {
        kind: 'Status',
        reason: 'Expired',
        code: 410,
        message: `too old resource version: ${old} (${Number(old) + 2})`,
      },
    });
  });

  it('closes after timeoutSeconds, and on dropWatches', async () => {
    await start();
    const timed = await watch('/api/v1/nodes?watch=true&timeoutSeconds=0.05');
    await until(() => timed.ended());
    const dropped = await watch('/api/v1/pods?watch=true');
    await until(() => server.openWatches() === 1);
    expect(server.dropWatches()).toBe(1);
    await until(() => dropped.ended());
    expect(server.requestCounts()).toMatchObject({ 'WATCH nodes': 1, 'WATCH pods': 1 });
  });

  it('sends BOOKMARK events only when asked for (allowWatchBookmarks), with just a resourceVersion', async () => {
    await start();
    server.faults.bookmarkEveryMs = 20;
    const rv = store.resourceVersion;
    const plain = await watch(`/api/v1/nodes?watch=true&resourceVersion=${rv}`);
    const marked = await watch(
      `/api/v1/nodes?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`,
    );
    await until(() => marked.events.length >= 2);
    expect(marked.events[0]).toEqual({
      type: 'BOOKMARK',
      object: { kind: 'Node', apiVersion: 'v1', metadata: { resourceVersion: rv } },
    });
    expect(plain.events).toEqual([]);
    plain.stop();
    marked.stop();
  });

  // What kube-apiserver does with a resourceVersion it has not reached: kubernetes/kubernetes
  // staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go Watch (at 68afedf6; delegator.go
  // at 035bd7a2 hands it every watch with a resourceVersion), watch_cache.go
  // getAllEventsSinceLocked (at 00f3bd44: only a too OLD version fails a watch) and
  // waitUntilWatchCacheFreshAndForceAllEvents (sendInitialEvents only); the Status from
  // pkg/storage/errors.go NewTooLargeResourceVersionError over apimachinery NewTimeoutError.
  const tooLarge = (ahead: number) => ({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Timeout: Too large resource version: ${ahead}, current: ${store.resourceVersion}`,
    reason: 'Timeout',
    details: {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    },
    code: 504,
  });

  it('accepts a plain watch from a future resourceVersion and delivers only what comes after it', async () => {
    await start();
    const ahead = Number(store.resourceVersion) + 2;
    const w = await watch(`/api/v1/nodes?watch=true&resourceVersion=${ahead}`);
    expect(w.res.status).toBe(200);
    for (const value of ['1', '2', '3'])
      store.mutate('nodes', undefined, 'w-1', (n) => (n.metadata.labels = { step: value }));
    await until(() => w.events.length >= 1);
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({
      type: 'MODIFIED',
      object: { metadata: { resourceVersion: String(ahead + 1), labels: { step: '3' } } },
    });
    expect(w.ended()).toBe(false);
    w.stop();
  });

  it('fails a watch-list from a future resourceVersion with a 504 ERROR event in a 200 stream', async () => {
    await start();
    const ahead = Number(store.resourceVersion) + 100;
    const w = await watch(
      `/api/v1/nodes?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=${ahead}`,
    );
    expect(w.res.status).toBe(200);
    await until(() => w.ended());
    expect(w.events).toEqual([{ type: 'ERROR', object: tooLarge(ahead) }]);
  });

  it('answers a LIST or GET at a future resourceVersion with HTTP 504 itself', async () => {
    await start();
    const ahead = Number(store.resourceVersion) + 100;
    const list = await get(`/api/v1/nodes?resourceVersion=${ahead}`);
    expect(list.status).toBe(504);
    expect(list.body).toEqual(tooLarge(ahead));
    const one = await get(`/api/v1/nodes/w-1?resourceVersion=${ahead}`);
    expect(one.status).toBe(504);
    expect((await get(`/api/v1/nodes?resourceVersion=${store.resourceVersion}`)).status).toBe(200);
  });

  it('leaves a watch half-open with the halfOpenWatches fault: no events, no close', async () => {
    await start();
    server.faults.halfOpenWatches = 1;
    const w = await watch(
      `/api/v1/nodes?watch=true&resourceVersion=${store.resourceVersion}&timeoutSeconds=0.05`,
    );
    // A healthy watch opened after it, with the same timeout, sees the change and is closed.
    const healthy = await watch(
      `/api/v1/nodes?watch=true&resourceVersion=${store.resourceVersion}&timeoutSeconds=0.05`,
    );
    store.mutate('nodes', undefined, 'w-1', (n) => (n.metadata.labels = { x: '1' }));
    await until(() => healthy.ended());
    expect(healthy.events.map((e) => e.type)).toEqual(['MODIFIED']);
    expect(w.events).toEqual([]);
    expect(w.ended()).toBe(false);
    w.stop();
  });

  it('ends every stream after N events with the dropWatchesAfterEvents fault', async () => {
    await start();
    server.faults.dropWatchesAfterEvents = 1;
    const w = await watch('/api/v1/nodes?watch=true');
    await until(() => w.ended());
    expect(w.events.map((e) => e.object.metadata.name)).toEqual(['w-1']);
  });
});

describe('fake API server: creates', () => {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(server.url + path, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const pod = (namespace: string, resources?: object) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace },
    spec: { containers: [{ name: 'c', image: 'x', ...(resources ? { resources } : {}) }] },
    status: { phase: 'Running', podIP: '10.0.0.9' },
  });

  it('refuses a namespaced create in a namespace that does not exist: 404 namespaces "x" not found', async () => {
    await start();
    const r = await post('/api/v1/namespaces/nowhere/pods', pod('nowhere'));
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'namespaces "nowhere" not found',
      details: { name: 'nowhere', kind: 'namespaces' },
    });
  });

  it('gives a created pod the server status (Pending, QoS class), whatever the client sent', async () => {
    await start();
    store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    const r = await post('/api/v1/namespaces/ns/pods', pod('ns'));
    expect(r.status).toBe(201);
    expect(r.body.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    const limited = { limits: { cpu: '1', memory: '1Gi' } };
    const g = await post('/api/v1/namespaces/ns/pods', {
      ...pod('ns', limited),
      metadata: { name: 'g' },
    });
    expect(g.body.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
  });
});

describe('fake API server: deletes', () => {
  const del = async (path: string, body?: string) => {
    const res = await fetch(server.url + path, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('takes the grace period from DeleteOptions in the body, else from the query', async () => {
    await start();
    // No body: the query's grace 30 applies to the running pod, which is only marked.
    const marked = await del('/api/v1/namespaces/apps/pods/a?gracePeriodSeconds=30');
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({ metadata: { deletionGracePeriodSeconds: 30 } });
    expect(store.get('pods', 'apps', 'a')).toBeDefined();
    // A body replaces the query's options entirely (delete.go): its grace 0 removes b at once...
    const zero = JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
    expect((await del('/api/v1/namespaces/apps/pods/b?gracePeriodSeconds=30', zero)).status).toBe(
      200,
    );
    expect(store.get('pods', 'apps', 'b')).toBeUndefined();
    // ...and a body without one leaves the pod's own grace, whatever the query says.
    const none = JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1' });
    addPod(store, { namespace: 'apps', name: 'd', node: 'w-2' });
    const kept = await del('/api/v1/namespaces/apps/pods/d?gracePeriodSeconds=0', none);
    expect(kept.body).toMatchObject({ metadata: { deletionGracePeriodSeconds: 30 } });
    expect(store.get('pods', 'apps', 'd')).toBeDefined();
    const bad = await del('/api/v1/namespaces/apps/pods/a', '{not json');
    expect(bad).toMatchObject({ status: 400, body: { kind: 'Status', reason: 'BadRequest' } });
  });
});
