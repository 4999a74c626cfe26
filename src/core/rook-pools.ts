/**
 * The pools a Rook resource declares, as pool-tolerance.ts reads them: a CephBlockPool is one
 * pool (its spec); a CephFilesystem has spec.metadataPool and spec.dataPools[]; a
 * CephObjectStore spec.metadataPool and spec.dataPool (rook pkg/apis/ceph.rook.io/v1 types.go,
 * v1.16). Pure: both the real adapter and the twin map what they list through here.
 */
import type { CephPoolSpecReading } from './pool-tolerance.js';

export const ROOK_POOL_KINDS = ['CephBlockPool', 'CephFilesystem', 'CephObjectStore'] as const;
export type RookPoolKind = (typeof ROOK_POOL_KINDS)[number];

/** The plural resource names, as listed (ceph.rook.io/v1). */
export const ROOK_POOL_PLURALS: Record<RookPoolKind, string> = {
  CephBlockPool: 'cephblockpools',
  CephFilesystem: 'cephfilesystems',
  CephObjectStore: 'cephobjectstores',
};

export interface LooseRookObject {
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, unknown>;
  status?: { phase?: string };
}

type LoosePoolSpec = {
  failureDomain?: unknown;
  replicated?: { size?: unknown; replicasPerFailureDomain?: unknown };
  erasureCoded?: { dataChunks?: unknown; codingChunks?: unknown };
  parameters?: Record<string, unknown>;
};

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function reading(
  source: string,
  spec: LoosePoolSpec | undefined,
  phase: string | undefined,
): CephPoolSpecReading {
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec?.parameters ?? {})) parameters[k] = String(v);
  return {
    source,
    failureDomain:
      typeof spec?.failureDomain === 'string' && spec.failureDomain !== ''
        ? spec.failureDomain
        : undefined,
    replicated: spec?.replicated
      ? {
          ...(num(spec.replicated.size) === undefined ? {} : { size: num(spec.replicated.size)! }),
          ...(num(spec.replicated.replicasPerFailureDomain) === undefined
            ? {}
            : { replicasPerFailureDomain: num(spec.replicated.replicasPerFailureDomain)! }),
        }
      : undefined,
    erasureCoded: spec?.erasureCoded
      ? {
          ...(num(spec.erasureCoded.dataChunks) === undefined
            ? {}
            : { dataChunks: num(spec.erasureCoded.dataChunks)! }),
          ...(num(spec.erasureCoded.codingChunks) === undefined
            ? {}
            : { codingChunks: num(spec.erasureCoded.codingChunks)! }),
        }
      : undefined,
    parameters,
    phase,
  };
}

/** The pools one Rook object declares, each named by its resource and field. */
export function rookPoolReadings(
  kind: RookPoolKind,
  object: LooseRookObject,
): CephPoolSpecReading[] {
  const name = `${kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
  const spec = object.spec ?? {};
  const phase = object.status?.phase;
  if (kind === 'CephBlockPool') return [reading(name, spec as LoosePoolSpec, phase)];
  const pools: [string, LoosePoolSpec | undefined][] = [
    ['metadataPool', spec.metadataPool as LoosePoolSpec | undefined],
  ];
  if (kind === 'CephFilesystem') {
    const data = Array.isArray(spec.dataPools) ? (spec.dataPools as LoosePoolSpec[]) : [];
    data.forEach((p, i) => pools.push([`dataPools[${i}]`, p]));
  } else pools.push(['dataPool', spec.dataPool as LoosePoolSpec | undefined]);
  // A CephObjectStore on sharedPools names pools another resource declares (a CephBlockPool,
  // read on its own): a field with neither replicated nor erasureCoded declares no pool.
  return pools
    .filter(([, p]) => p?.replicated !== undefined || p?.erasureCoded !== undefined)
    .map(([field, p]) => reading(`${name} ${field}`, p, phase));
}
