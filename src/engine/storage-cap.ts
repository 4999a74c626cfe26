/**
 * What the Ceph pools tolerate, read now (core/pool-tolerance.ts over the storage-health role):
 * the scheduler's pick and the pre-act re-check cap the storage domains down at once by it, and
 * the run checks it once before the first node. Only while Ceph is in use (an OSD node in the
 * inventory). A pool list that fails, or a pool that is not Ready, is unknown: never "no cap".
 */
import type { ErrorCode } from '../core/error-codes.js';
import { DroverError } from '../core/errors.js';
import { findNode, type Inventory } from '../core/inventory.js';
import { allSteps, type Plan } from '../core/plan.js';
import {
  DEFAULT_STORAGE_DOMAIN_TYPE,
  describeLimiting,
  storageCapNote,
  storageTolerance,
} from '../core/pool-tolerance.js';
import type { StorageHealthPort } from '../ports/kubernetes.js';
import type { RunState } from './context.js';
import { nextBackoffMs, pause } from './retry.js';

/** Why no new storage domain may open, with the code the run stops with at the deadline. */
export interface PoolBlocker {
  code: Extract<ErrorCode, 'STORAGE_POOLS_UNKNOWN' | 'STORAGE_POOLS_NO_TOLERANCE'>;
  reason: string;
}

export type PoolCap =
  /** tolerated: domains the pools survive down; undefined with no pools (or no Ceph). */
  | { known: true; tolerated: number | undefined; note?: string; blocker?: PoolBlocker }
  | { known: false; reason: string; blocker: PoolBlocker };

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** The pools' cap from a storage-health reader; never throws (but on abort). */
export async function poolCapOf(
  storageHealth: StorageHealthPort,
  inventory: Inventory,
  maxUnavailableDomains: number,
  signal?: AbortSignal,
): Promise<PoolCap> {
  if (!inventory.nodes.some((n) => n.storage?.osd === true))
    return { known: true, tolerated: undefined };
  let pools;
  try {
    pools = await storageHealth.cephPools();
  } catch (error) {
    if (signal?.aborted) throw error;
    const reason = `Ceph pools unreadable (unknown): ${messageOf(error)}`;
    return { known: false, reason, blocker: { code: 'STORAGE_POOLS_UNKNOWN', reason } };
  }
  const tolerance = storageTolerance(
    pools,
    inventory.storageDomainType ?? DEFAULT_STORAGE_DOMAIN_TYPE,
  );
  if (!tolerance.known)
    return {
      known: false,
      reason: tolerance.reason,
      blocker: { code: 'STORAGE_POOLS_UNKNOWN', reason: tolerance.reason },
    };
  const note = storageCapNote(maxUnavailableDomains, tolerance);
  return {
    known: true,
    tolerated: tolerance.domains,
    ...(note ? { note } : {}),
    ...(tolerance.domains === 0
      ? {
          blocker: {
            code: 'STORAGE_POOLS_NO_TOLERANCE',
            reason: `the Ceph pools tolerate no storage domain down: ${describeLimiting(tolerance)}`,
          } as const,
        }
      : {}),
  };
}

export function readPoolCap(run: RunState): Promise<PoolCap> {
  return poolCapOf(
    run.kubernetes.storageHealth,
    run.inventory,
    run.policy.disruption.maxUnavailableDomains,
    run.signal,
  );
}

/** The refusal a blocker stands for (`waitedSeconds`: how long it was waited for, if at all). */
export function poolBlockedError(blocker: PoolBlocker, waitedSeconds?: number): DroverError {
  const waited = waitedSeconds === undefined ? '' : ` (waited ${waitedSeconds}s)`;
  // The hint is the catalogue's (core/error-codes.ts), written once.
  return new DroverError(
    'refused',
    blocker.code,
    `no OSD node may go: ${blocker.reason}${waited}; nothing more was touched`,
  );
}

/** The plan takes an OSD node down (a storage domain would go). */
export function planTouchesOsd(plan: Plan, inventory: Inventory): boolean {
  return allSteps(plan).some(
    (s) => s.node !== undefined && findNode(inventory, s.node)?.storage?.osd === true,
  );
}

/**
 * Before the first node: refuses pools that tolerate nothing (STORAGE_POOLS_NO_TOLERANCE),
 * waits for unknown pools up to the gate deadline (then STORAGE_POOLS_UNKNOWN), and returns the
 * report's note when the policy allows more domains than the pools tolerate.
 */
export async function checkStoragePools(run: RunState): Promise<string[]> {
  if (!planTouchesOsd(run.plan, run.inventory)) return [];
  const { clock } = run.ports;
  const deadline = clock.now() + run.policy.timeouts.gateSeconds * 1000;
  let delay = run.policy.retry.initialBackoffSeconds * 1000;
  for (;;) {
    const cap = await readPoolCap(run);
    if (cap.known) {
      if (cap.blocker) throw poolBlockedError(cap.blocker);
      return cap.note ? [cap.note] : [];
    }
    const now = clock.now();
    if (now >= deadline) throw poolBlockedError(cap.blocker, run.policy.timeouts.gateSeconds);
    run.log('warn', `waiting: ${cap.reason}`);
    await pause(clock, Math.min(delay, deadline - now), run.signal);
    delay = nextBackoffMs(delay, run.policy.retry);
  }
}
