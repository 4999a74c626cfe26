/**
 * The Ceph pools Rook declares, listed cluster-wide like the CephCluster (health.ts): every
 * CephBlockPool, CephFilesystem and CephObjectStore (ceph.rook.io/v1), mapped to pool specs by
 * core/rook-pools.ts. A list that fails (403, 5xx after retries) throws: unknown, never "no
 * pools". A 404 is a kind whose CRD is not installed: none of that kind exists.
 */
import type { CephPoolSpecReading } from '../../core/pool-tolerance.js';
import {
  ROOK_POOL_KINDS,
  ROOK_POOL_PLURALS,
  rookPoolReadings,
  type LooseRookObject,
} from '../../core/rook-pools.js';
import { readOptional, type KubeClient } from './client.js';

export async function cephPools(client: KubeClient): Promise<CephPoolSpecReading[]> {
  const out: CephPoolSpecReading[] = [];
  for (const kind of ROOK_POOL_KINDS) {
    const plural = ROOK_POOL_PLURALS[kind];
    const list = (await readOptional(client, `LIST ${plural}`, () =>
      client.custom.listClusterCustomObject({ group: 'ceph.rook.io', version: 'v1', plural }),
    )) as { items?: LooseRookObject[] } | undefined;
    for (const item of list?.items ?? []) out.push(...rookPoolReadings(kind, item));
  }
  return out;
}
