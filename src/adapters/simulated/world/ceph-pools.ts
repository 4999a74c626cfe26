/**
 * The twin's Ceph pools, derived from the scenario's `storage.toleratedDomainsDown` (t): a
 * CephBlockPool and a CephFilesystem (metadata and data pool), each replicated with size 2t+1,
 * whose Ceph default min_size (size - size/2 = t+1) leaves exactly t copies to lose, with
 * failureDomain host (Rook's default, the storage domain Drover counts unless configured).
 * The Ceph model (ceph.ts) and the invariant checker count with `toleratedDomainsDown` itself,
 * the world's truth, not through Drover's reading of these specs (core/pool-tolerance.ts): a
 * misreading in Drover then shows as a breach instead of being shared by the twin
 * (ceph-pools.test.ts checks that the specs read back as exactly t).
 */
import {
  DEFAULT_STORAGE_DOMAIN_TYPE,
  type CephPoolSpecReading,
} from '../../../core/pool-tolerance.js';
import { rookPoolReadings, type RookPoolKind } from '../../../core/rook-pools.js';
import type { KubeObject } from '../kube/store.js';

type NewObject = Omit<KubeObject, 'metadata'> & { metadata: { name: string; namespace: string } };

const NAMESPACE = 'rook-ceph';

function replicated(tolerated: number): Record<string, unknown> {
  const size = 2 * tolerated + 1;
  // Rook refuses size 1 unless told it is meant (rook PoolSpec.replicated.requireSafeReplicaSize).
  return {
    failureDomain: DEFAULT_STORAGE_DOMAIN_TYPE,
    replicated: { size, ...(size === 1 ? { requireSafeReplicaSize: false } : {}) },
  };
}

/** The pool resources, by store key suffix (the kind) and object. */
export function cephPoolObjects(tolerated: number): { kind: RookPoolKind; object: NewObject }[] {
  const ready = { phase: 'Ready' };
  return [
    {
      kind: 'CephBlockPool',
      object: {
        apiVersion: 'ceph.rook.io/v1',
        kind: 'CephBlockPool',
        metadata: { name: 'replicapool', namespace: NAMESPACE },
        spec: replicated(tolerated),
        status: ready,
      },
    },
    {
      kind: 'CephFilesystem',
      object: {
        apiVersion: 'ceph.rook.io/v1',
        kind: 'CephFilesystem',
        metadata: { name: 'ceph-filesystem', namespace: NAMESPACE },
        spec: {
          metadataPool: replicated(tolerated),
          dataPools: [{ name: 'data0', ...replicated(tolerated) }],
          metadataServer: { activeCount: 1, activeStandby: true },
        },
        status: ready,
      },
    },
  ];
}

/** The pool specs the scenario declares (what the world serves at start). */
export function scenarioPoolReadings(tolerated: number): CephPoolSpecReading[] {
  return cephPoolObjects(tolerated).flatMap(({ kind, object }) =>
    rookPoolReadings(kind, object as Parameters<typeof rookPoolReadings>[1]),
  );
}
