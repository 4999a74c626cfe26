import { afterEach, describe, expect, it } from 'vitest';
import type { KubeStore } from '../simulated/kube/store.js';
import { addNode, addPdb, addPod, setPdbStatus } from '../../../test/helpers/kube-fixtures.js';
import { startHarness, until, type Harness } from '../../../test/helpers/kube-http-harness.js';

let h: Harness;
afterEach(async () => h?.close());

function world(store: KubeStore): void {
  addNode(store, { name: 'w-1' });
  addNode(store, { name: 'w-2' });
  const rs = { kind: 'ReplicaSet', name: 'web-7d9' };
  addPod(store, {
    namespace: 'apps',
    name: 'web-1',
    node: 'w-1',
    labels: { app: 'web' },
    owner: rs,
  });
  addPod(store, {
    namespace: 'apps',
    name: 'web-2',
    node: 'w-2',
    labels: { app: 'web' },
    owner: rs,
  });
  addPod(store, {
    namespace: 'apps',
    name: 'cache-1',
    node: 'w-1',
    emptyDir: true,
    owner: { kind: 'StatefulSet', name: 'cache' },
  });
  addPod(store, {
    namespace: 'kube-system',
    name: 'cilium-x',
    node: 'w-1',
    owner: { kind: 'DaemonSet', name: 'cilium' },
  });
  addPod(store, {
    namespace: 'kube-system',
    name: 'kube-apiserver-w-1',
    node: 'w-1',
    mirror: true,
    owner: { kind: 'Node', name: 'w-1' },
  });
  addPod(store, {
    namespace: 'batch',
    name: 'job-1',
    node: 'w-2',
    phase: 'Failed',
    owner: { kind: 'Job', name: 'j' },
  });
  addPod(store, { namespace: 'batch', name: 'stuck-1', node: 'w-2', phase: 'Pending' });
  addPdb(
    store,
    'apps',
    'web',
    { app: 'web' },
    { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2 },
  );
}

/** Stands in for the kubelet: a pod marked for deletion is removed shortly after. */
function kubelet(store: KubeStore): () => void {
  return store.subscribe((e) => {
    if (e.resource === 'pods' && e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp) {
      const { namespace, name } = e.object.metadata;
      setTimeout(
        () => store.get('pods', namespace, name) && store.delete('pods', namespace, name),
        20,
      );
    }
  });
}

describe('pods over HTTP', () => {
  it('lists the pods on a node with what drain needs to know', async () => {
    h = await startHarness(world);
    const pods = await h.adapter.listPodsOnNode('w-1');
    const byName = Object.fromEntries(pods.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual([
      'cache-1',
      'cilium-x',
      'kube-apiserver-w-1',
      'web-1',
    ]);
    expect(byName['web-1']).toMatchObject({
      namespace: 'apps',
      nodeName: 'w-1',
      phase: 'Running',
      ready: true,
      controllerKind: 'ReplicaSet',
      mirror: false,
      usesEmptyDir: false,
      deleting: false,
      labels: { app: 'web' },
    });
    expect(byName['cache-1']?.usesEmptyDir).toBe(true);
    expect(byName['cilium-x']?.controllerKind).toBe('DaemonSet');
    expect(byName['kube-apiserver-w-1']?.mirror).toBe(true);
    expect(byName['web-1']?.uid).toBe(h.store.get('pods', 'apps', 'web-1')?.metadata.uid);
  });

  it('follows continue tokens past 500 pods', async () => {
    h = await startHarness((store) => {
      addNode(store, { name: 'big' });
      for (let i = 0; i < 501; i += 1)
        addPod(store, { namespace: 'fill', name: `p-${String(i).padStart(3, '0')}`, node: 'big' });
    });
    expect(await h.adapter.listPodsOnNode('big')).toHaveLength(501);
    expect(h.server.requestCounts()['LIST pods']).toBe(2);
  });

  it('evicts through policy/v1: the budget is spent at once and the pod terminates gracefully', async () => {
    h = await startHarness(world);
    setPdbStatus(h.store, 'apps', 'web', { disruptionsAllowed: 1 });
    expect(await h.adapter.evictPod({ namespace: 'apps', name: 'web-1' })).toEqual({
      outcome: 'evicted',
    });
    const pod = h.store.get('pods', 'apps', 'web-1');
    expect(pod?.metadata.deletionTimestamp).toBeDefined();
    expect(h.store.get('policy/poddisruptionbudgets', 'apps', 'web')?.status).toMatchObject({
      disruptionsAllowed: 0,
      disruptedPods: { 'web-1': expect.any(String) },
    });
    // The second eviction meets the spent budget before any controller ran.
    expect(await h.adapter.evictPod({ namespace: 'apps', name: 'web-2' })).toEqual({
      outcome: 'blocked',
      reason: 'The disruption budget web needs 2 healthy pods and has 2 currently',
    });
    expect(h.server.requestCounts()['POST eviction']).toBe(2);
  });

  it('a PDB-blocked eviction ends in a forced delete, and the wait sees the pod gone', async () => {
    h = await startHarness(world);
    const ref = { namespace: 'apps', name: 'web-1' };
    const blocked = await h.adapter.evictPod(ref);
    expect(blocked.outcome).toBe('blocked');
    expect(blocked.retryAfterSeconds).toBeUndefined();
    await h.adapter.deletePod(ref, 0);
    expect(h.store.get('pods', 'apps', 'web-1')).toBeUndefined();
    await h.adapter.waitForPodsGone([ref], { timeoutMs: 10_000 });
    expect(await h.adapter.evictPod(ref)).toEqual({ outcome: 'gone' });
    await h.adapter.deletePod(ref); // deleting what is gone is not an error
  });

  it('reports the Retry-After of a budget the server is still processing', async () => {
    h = await startHarness(world);
    h.store.mutate(
      'policy/poddisruptionbudgets',
      'apps',
      'web',
      (p) => ((p.spec as Record<string, unknown>).minAvailable = 1),
      { bumpGeneration: true },
    );
    expect(await h.adapter.evictPod({ namespace: 'apps', name: 'web-1' })).toEqual({
      outcome: 'blocked',
      reason: 'The disruption budget web is still being processed by the server.',
      retryAfterSeconds: 10,
    });
  });

  it('evicts finished and pending pods without consulting budgets', async () => {
    h = await startHarness(world);
    expect(await h.adapter.evictPod({ namespace: 'batch', name: 'job-1' })).toEqual({
      outcome: 'evicted',
    });
    expect(await h.adapter.evictPod({ namespace: 'batch', name: 'stuck-1' })).toEqual({
      outcome: 'evicted',
    });
    expect(h.store.list('pods', 'batch')).toEqual([]);
  });

  it('waits, through watches, until graceful deletions finish across namespaces', async () => {
    h = await startHarness(world);
    const off = kubelet(h.store);
    const uid = h.store.get('pods', 'apps', 'cache-1')?.metadata.uid;
    const waiting = h.adapter.waitForPodsGone(
      [
        { namespace: 'apps', name: 'cache-1', uid },
        { namespace: 'apps', name: 'web-1' },
        { namespace: 'kube-system', name: 'cilium-x' },
      ],
      { timeoutMs: 60_000 },
    );
    await until(() => h.server.openWatches() === 2);
    await h.adapter.deletePod({ namespace: 'apps', name: 'web-1' });
    await h.adapter.deletePod({ namespace: 'kube-system', name: 'cilium-x' }, 1);
    // cache-1 comes back under the same name with a new uid: the old pod is gone.
    h.store.delete('pods', 'apps', 'cache-1');
    addPod(h.store, { namespace: 'apps', name: 'cache-1', node: 'w-2' });
    await waiting;
    off();
    expect(h.server.requestCounts()).toMatchObject({
      'LIST pods': 2,
      'WATCH pods': 2,
      'DELETE pods': 2,
    });
  });

  it('times out waiting for a pod that stays', async () => {
    h = await startHarness(world);
    await expect(
      h.adapter.waitForPodsGone([{ namespace: 'apps', name: 'web-1' }], { timeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: 'WAIT_TIMEOUT' });
  });

  it('lists pods stuck before running; finished pods (Succeeded, Failed) are not problems', async () => {
    h = await startHarness(world);
    addPod(h.store, { namespace: 'batch', name: 'done-1', node: 'w-2', phase: 'Succeeded' });
    const problems = await h.adapter.problemPods();
    expect(problems.map((p) => `${p.name}:${p.phase}`).sort()).toEqual(['stuck-1:Pending']);
  });

  it('a pod under two PDBs is a non-transient failure, as the server repeats the 500', async () => {
    h = await startHarness(world);
    addPdb(
      h.store,
      'apps',
      'web-too',
      { app: 'web' },
      { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 },
    );
    await expect(h.adapter.evictPod({ namespace: 'apps', name: 'web-1' })).rejects.toMatchObject({
      retryable: false,
      details: { status: 500 },
    });
  });
});
