import { afterEach, describe, expect, it } from 'vitest';
import { DroverError } from '../../../core/errors.js';
import type { SimulatedCluster } from '../index.js';
import { drainNode } from '../../../engine/drain.js';
import { twinRunOver } from '../../../engine/testing/twin-run.js';
import { startSmall } from '../testing/fixtures.js';
import { microTime } from './kubernetes-port.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('SimulatedKubernetesPort', () => {
  it('cordons and uncordons through spec.unschedulable; a cordoned node stays Ready', async () => {
    cluster = await startSmall();
    const k = cluster.ports.kubernetes;
    await k.cordon('w-1');
    expect(cluster.store.get('nodes', undefined, 'w-1')?.spec?.unschedulable).toBe(true);
    expect(await k.getNode('w-1')).toMatchObject({ unschedulable: true, ready: 'True' });
    await k.uncordon('w-1');
    expect(cluster.store.get('nodes', undefined, 'w-1')?.spec).not.toHaveProperty('unschedulable');
    await expect(k.cordon('ghost')).rejects.toMatchObject({ code: 'NODE_NOT_FOUND' });
  });

  it('waitForNode resolves on the store event that makes the predicate true', async () => {
    cluster = await startSmall();
    const waiting = cluster.ports.kubernetes.waitForNode('w-2', (n) => n?.unschedulable === true, {
      timeoutMs: 60_000,
    });
    const at = cluster.clock.now();
    // A write straight into the store (as the fake API server does) wakes the waiter.
    await cluster.clock.sleep(5_000);
    cluster.store.mutate('nodes', undefined, 'w-2', (n) => {
      n.spec = { ...n.spec, unschedulable: true };
    });
    const node = await waiting;
    expect(node?.unschedulable).toBe(true);
    expect(cluster.clock.now() - at).toBe(5_000);
  });

  it('waitForNode times out with WAIT_TIMEOUT on the virtual clock, and honours abort', async () => {
    cluster = await startSmall();
    const k = cluster.ports.kubernetes;
    const start = cluster.clock.now();
    const error = await k
      .waitForNode('w-1', () => false, { timeoutMs: 900_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DroverError);
    expect((error as DroverError).code).toBe('WAIT_TIMEOUT');
    expect(cluster.clock.now() - start).toBe(900_000);
    const controller = new AbortController();
    const waiting = k.waitForNode('w-1', () => false, {
      timeoutMs: 900_000,
      signal: controller.signal,
    });
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });

  it('drains a node: evicted pods terminate after their grace and run elsewhere', async () => {
    cluster = await startSmall();
    const k = cluster.ports.kubernetes;
    const before = (await k.listPodsOnNode('w-1')).filter((p) => p.controllerKind !== 'DaemonSet');
    expect(before.length).toBeGreaterThan(0);
    await k.cordon('w-1');
    await drainNode(twinRunOver(cluster).context('w-1/drain'), 'w-1');
    await k.waitForPodsGone(before, { timeoutMs: 600_000 });
    const left = await k.listPodsOnNode('w-1');
    expect(left.every((p) => p.controllerKind === 'DaemonSet')).toBe(true);
    await cluster.clock.sleep(60_000);
    expect((await k.deploymentStatus('apps', 'web'))?.available).toBe(3);
    expect((await k.deploymentStatus('apps', 'web'))?.readyNodes).not.toContain('w-1');
    expect(await k.problemPods()).toEqual([]);
  });

  it('evicting a graceful pod marks it deleting until the kubelet stops it', async () => {
    cluster = await startSmall();
    const k = cluster.ports.kubernetes;
    const web = cluster.store.list('pods').find((p) => p.metadata.labels?.app === 'web');
    const nodeName = String(web?.spec?.nodeName);
    const pod = (await k.listPodsOnNode(nodeName)).find((p) => p.labels.app === 'web');
    if (!pod) throw new Error('web pod expected');
    expect(await k.evictPod(pod)).toEqual({ outcome: 'evicted' });
    const evicted = (await k.listPodsOnNode(nodeName)).find((p) => p.name === pod.name);
    expect(evicted?.deleting).toBe(true);
    expect(await k.evictPod({ namespace: 'apps', name: 'nope' })).toEqual({ outcome: 'gone' });
    await k.waitForPodsGone([pod], { timeoutMs: 120_000 });
  });

  it('reports deployments, daemon sets, Ceph, HelmReleases and custom resources', async () => {
    cluster = await startSmall();
    const k = cluster.ports.kubernetes;
    expect(await k.daemonSetStatus('rook-ceph', 'rook-ceph-osd')).toMatchObject({
      desired: 3,
      available: 3,
    });
    expect(await k.deploymentStatus('apps', 'missing')).toBeUndefined();
    expect(await k.cephHealth()).toBe('HEALTH_OK');
    expect(await k.helmReleases()).toEqual([
      { namespace: 'flux-system', name: 'cilium', ready: true, reason: 'InstallSucceeded' },
    ]);
    const ceph = await k.getResource('ceph.rook.io/v1', 'cephclusters', 'rook-ceph', 'rook-ceph');
    expect((ceph?.status as { ceph: { health: string } }).ceph.health).toBe('HEALTH_OK');
    expect(await k.apiServerReady()).toBe(true);
  });

  it('leases: create conflicts, stale updates conflict, times are MicroTime', async () => {
    cluster = await startSmall();
    const k = cluster.ports.kubernetes;
    const now = cluster.clock.now();
    const lease = {
      namespace: 'drover-system',
      name: 'lock',
      holderIdentity: 'a',
      leaseDurationSeconds: 30,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    const created = await k.createLease(lease);
    expect(created.holderIdentity).toBe('a');
    expect(
      cluster.store.get('coordination.k8s.io/leases', 'drover-system', 'lock')?.spec?.renewTime,
    ).toMatch(/\.\d{6}Z$/);
    await expect(k.createLease(lease)).rejects.toMatchObject({ code: 'LEASE_CONFLICT' });
    const renewed = await k.updateLease({ ...created, renewTime: now + 1000 });
    expect(renewed.renewTime).toBe(now + 1000);
    await expect(k.updateLease({ ...created, renewTime: now + 2000 })).rejects.toMatchObject({
      code: 'LEASE_CONFLICT',
    });
    expect(await k.getLease('drover-system', 'missing')).toBeUndefined();
    expect(microTime(Date.UTC(2026, 0, 1, 0, 0, 0, 103))).toBe('2026-01-01T00:00:00.103000Z');
  });
});
