/**
 * How many storage failure domains the Ceph pools tolerate down at once, pure, from the pools'
 * specs as Rook declares them (CephBlockPool spec, CephFilesystem spec.metadataPool and
 * spec.dataPools[], CephObjectStore spec.metadataPool and spec.dataPool: rook
 * pkg/apis/ceph.rook.io/v1 types.go PoolSpec, v1.16).
 *
 * A placement group stays active while at least min_size of its copies (or chunks) are up, so a
 * pool tolerates `size - min_size` copies down: for a replicated pool size = replicated.size; for
 * an erasure-coded one size = k + m (dataChunks + codingChunks). min_size is
 * `parameters.min_size` when Rook is told one, else Ceph's default:
 * - replicated: `size - size/2` (integer division; osd_pool_default_min_size = 0, ceph
 *   src/common/config.h get_osd_pool_default_min_size, Reef/Squid);
 * - erasure-coded: `k + min(1, m - 1)` (ceph src/mon/OSDMonitor.cc prepare_pool_size, Reef/Squid).
 * With `replicated.replicasPerFailureDomain` r > 1 each domain holds r copies, so one domain down
 * costs r copies: the tolerance in domains is floor((size - min_size) / r).
 *
 * Domains: Drover counts its storage domains (inventory storageDomainType, CRUSH type `host`
 * unless configured). A pool whose failureDomain (Rook's default: host) is that type, or a
 * coarser one of Ceph's default hierarchy (a rack holds whole hosts: domains Drover takes down
 * are never more pool domains than that), keeps its tolerance. A finer one (`osd` while Drover
 * counts hosts), or a type outside the default hierarchy that is not Drover's own, may put
 * every copy inside one of Drover's domains: it tolerates 0 of them. Never optimistic.
 *
 * Not Ready (status.phase other than Ready): the operator has not applied the spec, so the live
 * pool may differ from it; its tolerance is unknown (the caller waits, then blocks), never
 * taken from the spec.
 */

/** A pool spec as Rook declares it, plus which resource it comes from. */
export interface CephPoolSpecReading {
  /** Where it is declared, for messages: `CephBlockPool rook-ceph/replicapool`, `CephFilesystem rook-ceph/fs dataPools[0]`. */
  source: string;
  /** spec.failureDomain; Rook's default is host. */
  failureDomain?: string | undefined;
  replicated?: { size?: number; replicasPerFailureDomain?: number } | undefined;
  erasureCoded?: { dataChunks?: number; codingChunks?: number } | undefined;
  /** spec.parameters (string values, as Rook passes them to `ceph osd pool set`). */
  parameters?: Record<string, string> | undefined;
  /** The owning resource's status.phase (undefined: no status yet). */
  phase?: string | undefined;
}

/** Ceph's default CRUSH types, finest first (ceph doc/rados/operations/crush-map.rst "Types and buckets"). */
export const CRUSH_TYPES = [
  'osd',
  'host',
  'chassis',
  'rack',
  'row',
  'pdu',
  'pod',
  'room',
  'datacenter',
  'zone',
  'region',
  'root',
] as const;

export const DEFAULT_STORAGE_DOMAIN_TYPE = 'host';

export interface PoolTolerance {
  source: string;
  /** Storage domains of Drover's type this pool survives down at once. */
  domains: number;
  /** Why, in one phrase: `size 3, min_size 2 (default)`. */
  why: string;
}

export type StorageTolerance =
  | {
      known: true;
      /** min over the pools; undefined when there are no pools (nothing to lose). */
      domains: number | undefined;
      pools: PoolTolerance[];
      /** The pools that set the minimum. */
      limiting: PoolTolerance[];
    }
  | { known: false; reason: string };

const int = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;

function minSizeParameter(pool: CephPoolSpecReading): number | undefined | 'invalid' {
  const raw = pool.parameters?.min_size;
  if (raw === undefined) return undefined;
  return /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : 'invalid';
}

function domainFits(poolDomain: string, counted: string): boolean {
  if (poolDomain === counted) return true;
  const types = CRUSH_TYPES as readonly string[];
  const p = types.indexOf(poolDomain);
  const c = types.indexOf(counted);
  return p >= 0 && c >= 0 && p >= c;
}

/** One pool's tolerance in Drover's domains (0 when unsure: never optimistic). */
export function poolTolerance(pool: CephPoolSpecReading, countedType: string): PoolTolerance {
  const { source } = pool;
  const zero = (why: string): PoolTolerance => ({ source, domains: 0, why });
  const minParam = minSizeParameter(pool);
  if (minParam === 'invalid')
    return zero(`parameters.min_size "${pool.parameters?.min_size}" is not a number`);
  const size = int(pool.replicated?.size);
  const k = int(pool.erasureCoded?.dataChunks);
  const m = int(pool.erasureCoded?.codingChunks);
  let total: number;
  let minSize: number;
  let shape: string;
  if (k !== undefined && m !== undefined && k > 0) {
    total = k + m;
    minSize = minParam ?? k + Math.max(0, Math.min(1, m - 1));
    shape = `erasure-coded k=${k} m=${m}`;
  } else if (size !== undefined && size > 0) {
    total = size;
    minSize = minParam ?? size - Math.floor(size / 2);
    shape = `size ${size}`;
  } else return zero('neither replicated.size nor erasureCoded chunks are set');
  const why = `${shape}, min_size ${minSize}${minParam === undefined ? ' (Ceph default)' : ''}`;
  const domain = pool.failureDomain ?? DEFAULT_STORAGE_DOMAIN_TYPE;
  if (!domainFits(domain, countedType))
    return zero(
      `${why}, failureDomain ${domain} is finer than (or not) the ${countedType} Drover counts: one ${countedType} may hold every copy`,
    );
  const perDomain = Math.max(1, int(pool.replicated?.replicasPerFailureDomain) ?? 1);
  const copies = Math.max(0, total - minSize);
  return {
    source,
    domains: Math.floor(copies / perDomain),
    why: perDomain > 1 ? `${why}, ${perDomain} replicas per failure domain` : why,
  };
}

/** Every pool's tolerance and the minimum; unknown when a pool is not Ready. */
export function storageTolerance(
  pools: readonly CephPoolSpecReading[],
  countedType: string = DEFAULT_STORAGE_DOMAIN_TYPE,
): StorageTolerance {
  const notReady = pools.filter((p) => p.phase !== 'Ready');
  if (notReady.length > 0)
    return {
      known: false,
      reason: `Ceph pools not Ready (${notReady.map((p) => `${p.source}: ${p.phase ?? 'no status'}`).join('; ')}): their replication is unknown`,
    };
  const each = pools.map((p) => poolTolerance(p, countedType));
  if (each.length === 0) return { known: true, domains: undefined, pools: [], limiting: [] };
  const min = Math.min(...each.map((p) => p.domains));
  return {
    known: true,
    domains: min,
    pools: each,
    limiting: each.filter((p) => p.domains === min),
  };
}

/** `CephBlockPool rook-ceph/replicapool (size 2, min_size 2)`, for messages. */
export function describeLimiting(tolerance: { limiting: PoolTolerance[] }): string {
  return tolerance.limiting.map((p) => `${p.source} (${p.why})`).join(', ');
}

/**
 * The cap on storage domains down at once: the policy's domains, lowered to what the pools
 * tolerate. undefined pools (none declared) leave the policy alone.
 */
export function storageDomainsCap(
  maxUnavailableDomains: number,
  tolerated: number | undefined,
): number {
  return tolerated === undefined
    ? maxUnavailableDomains
    : Math.min(maxUnavailableDomains, tolerated);
}

/** The note issue #15 asks for when a setting is capped by another; undefined when not capped. */
export function storageCapNote(
  maxUnavailableDomains: number,
  tolerance: StorageTolerance,
): string | undefined {
  if (!tolerance.known || tolerance.domains === undefined) return undefined;
  if (maxUnavailableDomains <= tolerance.domains) return undefined;
  return `policy allows ${maxUnavailableDomains} storage domains; pools tolerate ${tolerance.domains}: capped at ${tolerance.domains} (${describeLimiting(tolerance)})`;
}
