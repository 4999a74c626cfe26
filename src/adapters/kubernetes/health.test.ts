import { afterEach, describe, expect, it } from 'vitest';
import type { KubeStore } from '../simulated/kube/store.js';
import { twoWorkerWorld as world } from '../../../test/helpers/kube-fixtures.js';
import { startHarness, type Harness } from '../../../test/helpers/kube-http-harness.js';

let h: Harness;
afterEach(async () => h?.close());

function helmRelease(
  store: KubeStore,
  name: string,
  ready: string,
  observedGeneration: number,
): void {
  store.create('helm.toolkit.fluxcd.io/helmreleases', {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace: 'flux-system', generation: 2 },
    spec: { chart: { spec: { chart: name } } },
    status: {
      observedGeneration,
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason: ready === 'True' ? 'InstallSucceeded' : 'UpgradeFailed',
        },
      ],
    },
  });
}

describe('health reads over HTTP', () => {
  it('reports workload availability with the nodes of ready pods', async () => {
    h = await startHarness(world);
    expect(await h.adapter.deploymentStatus('kube-system', 'coredns')).toEqual({
      namespace: 'kube-system',
      name: 'coredns',
      desired: 2,
      available: 1,
      readyNodes: ['w-2'],
      generation: 1,
      observedGeneration: 1,
    });
    expect(await h.adapter.daemonSetStatus('kube-system', 'cilium')).toEqual({
      namespace: 'kube-system',
      name: 'cilium',
      desired: 2,
      available: 2,
      readyNodes: ['w-1', 'w-2'],
      generation: 1,
      observedGeneration: 1,
    });
    expect(await h.adapter.deploymentStatus('kube-system', 'missing')).toBeUndefined();
    expect(await h.adapter.daemonSetStatus('kube-system', 'missing')).toBeUndefined();
  });

  it('lists every workload by its own status, with where the unready pods of a short one are', async () => {
    h = await startHarness(world);
    // A spec change the controller has not observed yet.
    h.store.mutate('apps/daemonsets', 'kube-system', 'cilium', (d) => (d.spec = { ...d.spec }), {
      bumpGeneration: true,
    });
    const all = await h.adapter.workloadAvailability();
    expect(all).toEqual([
      {
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'coredns',
        desired: 2,
        available: 1,
        generation: 1,
        observedGeneration: 1,
        unreadyPodNodes: ['w-1'],
      },
      {
        kind: 'DaemonSet',
        namespace: 'kube-system',
        name: 'cilium',
        desired: 2,
        available: 2,
        generation: 2,
        observedGeneration: 1,
        unreadyPodNodes: [],
      },
    ]);
  });

  it('reads the CephCluster status with its own lastChecked', async () => {
    h = await startHarness(world);
    expect(await h.adapter.cephStatus()).toBeUndefined();
    h.store.create('ceph.rook.io/cephclusters', {
      apiVersion: 'ceph.rook.io/v1',
      kind: 'CephCluster',
      metadata: { name: 'rook-ceph', namespace: 'rook-ceph' },
      spec: {},
      status: {
        phase: 'Ready',
        ceph: {
          health: 'HEALTH_WARN',
          lastChecked: '2026-01-01T12:00:00Z',
          details: { MON_CLOCK_SKEW: { severity: 'HEALTH_WARN', message: 'clock skew' } },
        },
      },
    });
    expect(await h.adapter.cephStatus()).toEqual({
      health: 'HEALTH_WARN',
      checks: { MON_CLOCK_SKEW: { severity: 'HEALTH_WARN', message: 'clock skew' } },
      lastChecked: Date.parse('2026-01-01T12:00:00Z'),
    });
  });

  it('reads Ceph health from the CephCluster, undefined while absent', async () => {
    h = await startHarness(world);
    expect(await h.adapter.cephHealth()).toBeUndefined();
    h.store.create('ceph.rook.io/cephclusters', {
      apiVersion: 'ceph.rook.io/v1',
      kind: 'CephCluster',
      metadata: { name: 'rook-ceph', namespace: 'rook-ceph' },
      spec: {},
      status: { phase: 'Progressing' },
    });
    expect(await h.adapter.cephHealth()).toBeUndefined();
    h.store.mutate(
      'ceph.rook.io/cephclusters',
      'rook-ceph',
      'rook-ceph',
      (c) =>
        (c.status = {
          phase: 'Ready',
          ceph: {
            health: 'HEALTH_WARN',
            details: { OSD_DOWN: { severity: 'HEALTH_WARN', message: '1 osds down' } },
          },
        }),
    );
    expect(await h.adapter.cephHealth()).toBe('HEALTH_WARN');
  });

  it('reads HelmRelease readiness, requiring the current generation to be observed', async () => {
    h = await startHarness(world);
    helmRelease(h.store, 'cilium', 'True', 2);
    helmRelease(h.store, 'ingress', 'True', 1);
    helmRelease(h.store, 'gpu-operator', 'False', 2);
    const byName = Object.fromEntries((await h.adapter.helmReleases()).map((r) => [r.name, r]));
    expect(byName).toEqual({
      cilium: { namespace: 'flux-system', name: 'cilium', ready: true, reason: 'InstallSucceeded' },
      ingress: {
        namespace: 'flux-system',
        name: 'ingress',
        ready: false,
        reason: 'ProgressingGeneration',
      },
      'gpu-operator': {
        namespace: 'flux-system',
        name: 'gpu-operator',
        ready: false,
        reason: 'UpgradeFailed',
      },
    });
  });

  it('reads any resource for custom gates: core, grouped, cluster-scoped; undefined when missing', async () => {
    h = await startHarness(world);
    helmRelease(h.store, 'cilium', 'True', 2);
    expect((await h.adapter.getResource('v1', 'nodes', undefined, 'w-1'))?.metadata).toMatchObject({
      name: 'w-1',
    });
    expect(
      (await h.adapter.getResource('v1', 'pods', 'kube-system', 'cilium-1'))?.spec,
    ).toMatchObject({ nodeName: 'w-1' });
    expect(
      (await h.adapter.getResource('apps/v1', 'deployments', 'kube-system', 'coredns'))?.kind,
    ).toBe('Deployment');
    expect(
      (
        await h.adapter.getResource(
          'helm.toolkit.fluxcd.io/v2',
          'helmreleases',
          'flux-system',
          'cilium',
        )
      )?.status,
    ).toMatchObject({ observedGeneration: 2 });
    expect(await h.adapter.getResource('v1', 'pods', 'kube-system', 'nope')).toBeUndefined();
    expect(
      await h.adapter.getResource('ceph.rook.io/v1', 'cephclusters', 'rook-ceph', 'nope'),
    ).toBeUndefined();
  });

  it('answers whether the API server is ready', async () => {
    h = await startHarness(world);
    expect(await h.adapter.apiServerReady()).toBe(true);
    expect(h.server.requestCounts()['GET /readyz']).toBe(1);
    await h.server.close();
    expect(await h.adapter.apiServerReady()).toBe(false);
  });
});
