import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { addNode, addPdb, addPod } from '../../../test/helpers/kube-fixtures.js';
import { startHarness, type Harness } from '../../../test/helpers/kube-http-harness.js';
import type { KubeStore } from '../simulated/kube/store.js';

let h: Harness;
afterEach(async () => h?.close());

function world(store: KubeStore): void {
  addNode(store, { name: 'w-1' });
  addPod(store, {
    namespace: 'apps',
    name: 'web-1',
    node: 'w-1',
    labels: { app: 'web' },
    owner: { kind: 'ReplicaSet', name: 'web' },
  });
  addPdb(
    store,
    'apps',
    'web',
    { app: 'web' },
    { disruptionsAllowed: 1, currentHealthy: 1, desiredHealthy: 0, expectedPods: 1 },
  );
}

describe('transient failures', () => {
  it('a server that answers 500 twice then recovers: the read is retried and succeeds', async () => {
    h = await startHarness(world);
    h.server.faults.failNextRequests = [{ pathPrefix: '/api/v1/nodes/w-1', status: 500, count: 2 }];
    expect((await h.adapter.getNode('w-1'))?.name).toBe('w-1');
    expect(h.server.requestCounts()['GET nodes']).toBe(3);
    expect(h.adapter.requestCount()).toBe(3);
  });

  it('a connection reset is retried like a 5xx', async () => {
    h = await startHarness(world);
    h.server.faults.resetNextRequests = [{ pathPrefix: '/api/v1/nodes', count: 1 }];
    expect(await h.adapter.listNodes()).toHaveLength(1);
    expect(h.server.requestCounts()['LIST nodes']).toBe(2);
  });

  it('gives up after a few attempts with a transient DroverError', async () => {
    h = await startHarness(world);
    h.server.faults.failNextRequests = [{ pathPrefix: '/api/v1/nodes', status: 503, count: 100 }];
    const error = await h.adapter.listNodes().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'KUBE_UNAVAILABLE',
      retryable: true,
      details: { status: 503 },
    });
    expect(h.server.requestCounts()['LIST nodes']).toBe(4);
  });

  it('writes are not retried: a 500 on eviction and a throttling 429 are transient errors', async () => {
    h = await startHarness(world);
    const ref = { namespace: 'apps', name: 'web-1' };
    h.server.faults.failNextRequests = [
      { pathPrefix: '/api/v1/namespaces/apps/pods/web-1/eviction', status: 500, count: 1 },
    ];
    await expect(h.adapter.evictPod(ref)).rejects.toMatchObject({
      retryable: true,
      details: { status: 500 },
    });
    h.server.faults.failNextRequests = [
      { pathPrefix: '/api/v1/namespaces/apps/pods/web-1/eviction', status: 429, count: 1 },
    ];
    await expect(h.adapter.evictPod(ref)).rejects.toMatchObject({
      retryable: true,
      details: { status: 429 },
    });
    expect(await h.adapter.evictPod(ref)).toEqual({ outcome: 'evicted' });
    expect(h.server.requestCounts()['POST eviction']).toBe(3);
  });

  it('slow answers still arrive', async () => {
    h = await startHarness(world);
    h.server.faults.slowMs = 150;
    const started = Date.now();
    expect(await h.adapter.getNode('w-1')).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('errors never carry the bearer token', async () => {
    h = await startHarness(world);
    expect(h.redactor.redact(`token ${h.server.droverToken}`)).toBe('token [REDACTED]');
    h.server.faults.failNextRequests = [{ pathPrefix: '/api/v1/nodes', status: 500, count: 100 }];
    const error = (await h.adapter.getNode('w-1').catch((e: unknown) => e)) as Error;
    expect(
      JSON.stringify({ m: error.message, d: (error as { details?: unknown }).details }),
    ).not.toContain(h.server.droverToken);
  });
});

describe('patch content types, as strict as a real server', () => {
  it('rejects the json-patch content type client-node 1.x sends by default for an object body', async () => {
    h = await startHarness(world);
    const patch = (contentType: string, body: unknown) =>
      fetch(`${h.server.url}/api/v1/nodes/w-1`, {
        method: 'PATCH',
        headers: { 'Content-Type': contentType, Authorization: `Bearer ${h.server.droverToken}` },
        body: JSON.stringify(body),
      });
    const asJsonPatch = await patch('application/json-patch+json', {
      spec: { unschedulable: true },
    });
    expect(asJsonPatch.status).toBe(400);
    expect(((await asJsonPatch.json()) as { message: string }).message).toMatch(
      /^error decoding patch/,
    );
    const plainJson = await patch('application/json', { spec: { unschedulable: true } });
    expect(plainJson.status).toBe(415);
    expect(plainJson.headers.get('content-type')).toBe('application/json');
    const failingOp = await patch('application/json-patch+json', [
      { op: 'remove', path: '/spec/nothing' },
    ]);
    expect(failingOp.status).toBe(422);
    const strategic = await patch('application/strategic-merge-patch+json; charset=utf-8', {
      spec: { unschedulable: true },
    });
    expect(strategic.status).toBe(200);
    expect(h.store.get('nodes', undefined, 'w-1')?.spec).toEqual({ unschedulable: true });

    // client-node without the header override: the generated default is json-patch.
    const kc = new KubeConfig();
    kc.loadFromString(h.server.kubeconfigYaml);
    const core = kc.makeApiClient(CoreV1Api);
    const error = (await core
      .patchNode({ name: 'w-1', body: { spec: { unschedulable: false } } })
      .catch((e: unknown) => e)) as { code: number; body: string };
    expect(error.code).toBe(400);
    expect(JSON.parse(error.body).reason).toBe('BadRequest');
  });

  it('drops status changes sent to the main resource and spec changes sent to /status', async () => {
    h = await startHarness(world);
    const merge = (path: string, body: unknown) =>
      fetch(`${h.server.url}${path}`, {
        method: 'PATCH',
        // nodes/status is outside Drover's role: the admin arranges it.
        headers: {
          'Content-Type': 'application/merge-patch+json',
          Authorization: `Bearer ${h.server.token}`,
        },
        body: JSON.stringify(body),
      });
    await merge('/api/v1/nodes/w-1', { spec: { unschedulable: true }, status: { phase: 'Gone' } });
    await merge('/api/v1/nodes/w-1/status', {
      spec: { unschedulable: false },
      status: { phase: 'Running' },
    });
    const node = h.store.get('nodes', undefined, 'w-1');
    expect(node?.spec).toEqual({ unschedulable: true });
    expect(node?.status?.phase).toBe('Running');
    expect(node?.spec?.taints).toBeUndefined();
  });
});
