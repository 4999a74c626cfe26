import { afterEach, describe, expect, it } from 'vitest';
import type { KubeStore } from '../simulated/kube/store.js';
import { startHarness, type Harness } from '../../../test/helpers/kube-http-harness.js';

let h: Harness;
afterEach(async () => h?.close());

// Shapes as rook Documentation/CRDs (ceph-pool-crd, ceph-filesystem-crd, ceph-object-store-crd) v1.16.
function pools(store: KubeStore): void {
  const create = (plural: string, kind: string, name: string, spec: Record<string, unknown>) =>
    store.create(`ceph.rook.io/${plural}`, {
      apiVersion: 'ceph.rook.io/v1',
      kind,
      metadata: { name, namespace: 'rook-ceph' },
      spec,
      status: { phase: 'Ready' },
    });
  create('cephblockpools', 'CephBlockPool', 'replicapool', {
    failureDomain: 'host',
    replicated: { size: 3 },
  });
  create('cephfilesystems', 'CephFilesystem', 'fs', {
    metadataPool: { replicated: { size: 3 } },
    dataPools: [{ name: 'ec', erasureCoded: { dataChunks: 2, codingChunks: 1 } }],
  });
  create('cephobjectstores', 'CephObjectStore', 'store', {
    metadataPool: { replicated: { size: 3 } },
    dataPool: { erasureCoded: { dataChunks: 4, codingChunks: 2 }, parameters: { min_size: '4' } },
  });
}

describe('cephPools over the client (fake API server, Drover ClusterRole)', () => {
  it('lists every Rook pool cluster-wide, each named by its resource and field', async () => {
    h = await startHarness(pools);
    const read = await h.adapter.cephPools();
    expect(read.map((p) => p.source)).toEqual([
      'CephBlockPool rook-ceph/replicapool',
      'CephFilesystem rook-ceph/fs metadataPool',
      'CephFilesystem rook-ceph/fs dataPools[0]',
      'CephObjectStore rook-ceph/store metadataPool',
      'CephObjectStore rook-ceph/store dataPool',
    ]);
    expect(read[4]).toMatchObject({
      erasureCoded: { dataChunks: 4, codingChunks: 2 },
      parameters: { min_size: '4' },
      phase: 'Ready',
    });
  });

  it('a list denied by RBAC (403) throws: unknown, never "no pools"', async () => {
    h = await startHarness(pools);
    h.server.faults.failNextRequests = [
      { pathPrefix: '/apis/ceph.rook.io/v1/cephfilesystems', status: 403, count: 1 },
    ];
    await expect(h.adapter.cephPools()).rejects.toMatchObject({ code: 'KUBE_FORBIDDEN' });
  });

  it('a kind whose CRD is not installed (404 on the list) has no pools', async () => {
    h = await startHarness(pools);
    h.server.faults.failNextRequests = [
      { pathPrefix: '/apis/ceph.rook.io/v1/cephobjectstores', status: 404, count: 1 },
    ];
    const read = await h.adapter.cephPools();
    expect(read.map((p) => p.source)).toEqual([
      'CephBlockPool rook-ceph/replicapool',
      'CephFilesystem rook-ceph/fs metadataPool',
      'CephFilesystem rook-ceph/fs dataPools[0]',
    ]);
  });
});
