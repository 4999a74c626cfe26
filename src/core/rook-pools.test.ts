import { describe, expect, it } from 'vitest';
import { rookPoolReadings } from './rook-pools.js';

// Shapes as rook Documentation/CRDs (ceph-pool-crd, ceph-filesystem-crd, ceph-object-store-crd) v1.16.
describe('rookPoolReadings', () => {
  it('a CephBlockPool is one pool; min_size parameters arrive as strings', () => {
    const [p] = rookPoolReadings('CephBlockPool', {
      metadata: { namespace: 'rook-ceph', name: 'ecpool' },
      spec: {
        failureDomain: 'host',
        erasureCoded: { dataChunks: 4, codingChunks: 2 },
        parameters: { min_size: '5', compression_mode: 'none' },
      },
      status: { phase: 'Ready' },
    });
    expect(p).toMatchObject({
      source: 'CephBlockPool rook-ceph/ecpool',
      failureDomain: 'host',
      erasureCoded: { dataChunks: 4, codingChunks: 2 },
      parameters: { min_size: '5' },
      phase: 'Ready',
    });
  });

  it('a CephFilesystem: its metadata pool and every data pool', () => {
    const pools = rookPoolReadings('CephFilesystem', {
      metadata: { namespace: 'rook-ceph', name: 'fs' },
      spec: {
        metadataPool: { replicated: { size: 3 } },
        dataPools: [
          { name: 'a', replicated: { size: 3 } },
          { name: 'b', erasureCoded: { dataChunks: 2, codingChunks: 1 } },
        ],
      },
    });
    expect(pools.map((p) => p.source)).toEqual([
      'CephFilesystem rook-ceph/fs metadataPool',
      'CephFilesystem rook-ceph/fs dataPools[0]',
      'CephFilesystem rook-ceph/fs dataPools[1]',
    ]);
    expect(pools[0]!.phase).toBeUndefined();
  });

  it('a CephObjectStore: metadata and data pool; on sharedPools it declares none itself', () => {
    expect(
      rookPoolReadings('CephObjectStore', {
        metadata: { namespace: 'rook-ceph', name: 'store' },
        spec: {
          metadataPool: { replicated: { size: 3 } },
          dataPool: { erasureCoded: { dataChunks: 2, codingChunks: 1 } },
        },
      }).map((p) => p.source),
    ).toEqual([
      'CephObjectStore rook-ceph/store metadataPool',
      'CephObjectStore rook-ceph/store dataPool',
    ]);
    expect(
      rookPoolReadings('CephObjectStore', {
        metadata: { namespace: 'rook-ceph', name: 'shared' },
        spec: {
          sharedPools: { metadataPoolName: 'm', dataPoolName: 'd' },
          metadataPool: {},
          dataPool: {},
        },
      }),
    ).toEqual([]);
  });

  it('a block pool without replication stays a pool (it tolerates nothing), never dropped', () => {
    expect(rookPoolReadings('CephBlockPool', { metadata: { name: 'x' }, spec: {} })).toHaveLength(
      1,
    );
  });
});
