import { describe, expect, it } from 'vitest';
import { storageTolerance } from '../../../core/pool-tolerance.js';
import { startSmall } from '../testing/fixtures.js';
import { cephPoolObjects, scenarioPoolReadings } from './ceph-pools.js';

describe("the twin's Ceph pools", () => {
  it.each([0, 1, 2, 3])(
    'toleratedDomainsDown %i: the served specs read back as exactly that many domains',
    (t) => {
      expect(storageTolerance(scenarioPoolReadings(t))).toMatchObject({ known: true, domains: t });
    },
  );

  it('size 1 says so, as Rook requires (requireSafeReplicaSize: false)', () => {
    const [block] = cephPoolObjects(0);
    expect(block!.object.spec).toMatchObject({
      replicated: { size: 1, requireSafeReplicaSize: false },
    });
  });

  it('the port lists the pools the world serves', async () => {
    const cluster = await startSmall({ storage: { ceph: true, toleratedDomainsDown: 2 } });
    const pools = await cluster.ports.kubernetes.cephPools();
    expect(pools.map((p) => p.source)).toEqual([
      'CephBlockPool rook-ceph/replicapool',
      'CephFilesystem rook-ceph/ceph-filesystem metadataPool',
      'CephFilesystem rook-ceph/ceph-filesystem dataPools[0]',
    ]);
    expect(storageTolerance(pools)).toMatchObject({ known: true, domains: 2 });
  });
});
