import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../core/policy.js';
import { drainNode, refusedPods } from './drain.js';
import { FakeCluster } from './testing/fake-cluster.js';
import { testContext, testRun } from './testing/test-run.js';

function clusterWith(
  extra: (c: FakeCluster) => void,
  drain: Partial<typeof DEFAULT_POLICY.drain> = {},
) {
  const policy = structuredClone(DEFAULT_POLICY);
  Object.assign(policy.drain, drain);
  const c = new FakeCluster(undefined, {}, policy);
  extra(c);
  const run = testRun(c);
  return { c, run, ctx: testContext(run, 'w-1/drain') };
}

describe('drain', () => {
  it('evicts managed pods and leaves DaemonSet and mirror pods alone', async () => {
    const { c, ctx } = clusterWith((c) =>
      c.pods.push(c.pod('kube-proxy-mirror', 'w-1', 'Node', { mirror: true })),
    );
    const result = await drainNode(ctx, 'w-1');
    expect(result.evicted).toEqual(['default/app-w-1']);
    expect(result.forced).toEqual([]);
    expect(result.left.sort()).toEqual(['default/ds-w-1', 'default/kube-proxy-mirror']);
    expect(c.pods.find((p) => p.name === 'ds-w-1')?.deleted).toBeFalsy();
    expect(c.calls.filter((x) => x === 'deletePod')).toHaveLength(0);
  });

  it('a PDB that never allows eviction: retried through the graceful window, then forced (policy allows)', async () => {
    const { c, ctx } = clusterWith((c) => (c.faults.pdbBlocked = new Set(['app-w-1'])));
    const start = c.clock.now();
    const result = await drainNode(ctx, 'w-1');
    expect(result.forced).toEqual(['default/app-w-1']);
    expect(c.clock.now() - start).toBeGreaterThanOrEqual(
      DEFAULT_POLICY.drain.gracefulSeconds * 1000,
    );
    expect(c.calls.filter((x) => x === 'evict').length).toBeGreaterThan(3);
  });

  it('without forceAfterGrace a blocked eviction fails the drain with DRAIN_BLOCKED and deletes nothing', async () => {
    const { c, ctx } = clusterWith((c) => (c.faults.pdbBlocked = new Set(['app-w-1'])), {
      forceAfterGrace: false,
    });
    await expect(drainNode(ctx, 'w-1')).rejects.toMatchObject({ code: 'DRAIN_BLOCKED' });
    expect(c.calls).not.toContain('deletePod');
  });

  it('refuses up front, evicting nothing, when an unmanaged pod is present and not allowed', async () => {
    const { c, ctx } = clusterWith((c) => c.pods.push(c.pod('bare', 'w-1', undefined)));
    await expect(drainNode(ctx, 'w-1')).rejects.toMatchObject({
      code: 'DRAIN_REFUSED',
      category: 'refused',
    });
    expect(c.calls).not.toContain('evict');
  });

  it('refusedPods follows policy for emptyDir and unmanaged pods', () => {
    const c = new FakeCluster();
    const pods = [
      c.pod('cache', 'w-1', 'ReplicaSet', { usesEmptyDir: true }),
      c.pod('bare', 'w-1', undefined),
      c.pod('ds', 'w-1', 'DaemonSet', { usesEmptyDir: true }),
    ];
    expect(refusedPods(pods, { ...DEFAULT_POLICY.drain, deleteEmptyDirData: false })).toEqual({
      unmanaged: ['default/bare'],
      emptyDir: ['default/cache'],
    });
    expect(refusedPods(pods, { ...DEFAULT_POLICY.drain, deleteUnmanagedPods: true })).toEqual({
      unmanaged: [],
      emptyDir: [],
    });
  });

  it('finished pods (a bare Succeeded pod, an evicted Failed pod, CronJob history) never block or refuse a drain', async () => {
    const { c, ctx } = clusterWith(
      (c) => {
        c.faults.pdbBlocked = new Set(['evicted-web']);
        c.pods.push(
          c.pod('bare-done', 'w-1', undefined, { phase: 'Succeeded', ready: false }),
          c.pod('evicted-web', 'w-1', 'ReplicaSet', { phase: 'Failed', ready: false }),
          c.pod('report-2900', 'w-1', 'Job', { phase: 'Succeeded', usesEmptyDir: true }),
          c.pod('ds-old', 'w-1', 'DaemonSet', { phase: 'Failed', ready: false }),
        );
      },
      { forceAfterGrace: false },
    );
    const result = await drainNode(ctx, 'w-1');
    expect(result.evicted.sort()).toEqual([
      'default/app-w-1',
      'default/bare-done',
      'default/ds-old',
      'default/evicted-web',
      'default/report-2900',
    ]);
    expect(result.left).toEqual(['default/ds-w-1']);
    expect(c.calls).not.toContain('deletePod');
  });

  it('a transient eviction error is retried', async () => {
    const { c, ctx } = clusterWith((c) => (c.faults.transient = { evict: 2 }));
    const result = await drainNode(ctx, 'w-1');
    expect(result.evicted).toEqual(['default/app-w-1']);
    expect(c.calls.filter((x) => x === 'evict')).toHaveLength(3);
  });
});
