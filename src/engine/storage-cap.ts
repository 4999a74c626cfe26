/**
 * What the Ceph pools tolerate, read now (core/pool-tolerance.ts over the storage-health role):
 * the scheduler's pick and the pre-act re-check cap the storage domains down at once by it, and
 * the run checks it once before the first node. Only while Ceph is in use (an OSD node in the
 * inventory). A pool list that fails, or a pool that is not Ready, is unknown: never "no cap".
 */
import { DroverError } from '../core/errors.js';
import {
  DEFAULT_STORAGE_DOMAIN_TYPE,
  describeLimiting,
  storageCapNote,
  storageTolerance,
} from '../core/pool-tolerance.js';
import { findNode } from '../core/inventory.js';
import { allSteps } from '../core/plan.js';
import type { RunState } from './context.js';
import { pause } from './retry.js';

export type PoolCap =
  /** tolerated: domains the pools survive down; undefined with no pools (or no Ceph). */
  { known: true; tolerated: number | undefined; note?: string } | { known: false; reason: string };

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export function cephInUse(run: RunState): boolean {
  return run.inventory.nodes.some((n) => n.storage?.osd === true);
}

export async function readPoolCap(run: RunState): Promise<PoolCap> {
  if (!cephInUse(run)) return { known: true, tolerated: undefined };
  let pools;
  try {
    pools = await run.kubernetes.storageHealth.cephPools();
  } catch (error) {
    if (run.signal?.aborted) throw error;
    return { known: false, reason: `Ceph pools unreadable (unknown): ${messageOf(error)}` };
  }
  const tolerance = storageTolerance(
    pools,
    run.inventory.storageDomainType ?? DEFAULT_STORAGE_DOMAIN_TYPE,
  );
  if (!tolerance.known) return { known: false, reason: tolerance.reason };
  const note = storageCapNote(run.policy.disruption.maxUnavailableDomains, tolerance);
  if (tolerance.domains === 0)
    throw new DroverError(
      'refused',
      'STORAGE_POOLS_NO_TOLERANCE',
      `the Ceph pools tolerate no storage domain down: ${describeLimiting(tolerance)}; no OSD node may go, nothing was touched`,
      {
        hint: "Raise the pool's replicated.size (or lower parameters.min_size), or set its failureDomain to the storage domain Drover counts, then run again.",
        details: { pools: tolerance.limiting.map((p) => p.source) },
      },
    );
  return { known: true, tolerated: tolerance.domains, ...(note ? { note } : {}) };
}

/** The refusal when the pools stayed unknown until the deadline. */
export function poolsUnknownError(reason: string, waitedSeconds: number): DroverError {
  return new DroverError(
    'refused',
    'STORAGE_POOLS_UNKNOWN',
    `no OSD node may go: ${reason} (waited ${waitedSeconds}s)`,
    {
      hint: 'Grant get/list on cephblockpools, cephfilesystems and cephobjectstores (ceph.rook.io) to the runner, or let the pools become Ready, then run again with --resume.',
    },
  );
}

/**
 * Before the first node: refuses a pool that tolerates nothing (STORAGE_POOLS_NO_TOLERANCE),
 * waits for unknown pools up to the gate deadline (then STORAGE_POOLS_UNKNOWN), and returns the
 * report's note when the policy allows more domains than the pools tolerate.
 */
export async function checkStoragePools(run: RunState): Promise<string[]> {
  const osdPending = allSteps(run.plan).some(
    (s) => s.node !== undefined && findNode(run.inventory, s.node)?.storage?.osd === true,
  );
  if (!osdPending) return [];
  const { clock } = run.ports;
  const deadline = clock.now() + run.policy.timeouts.gateSeconds * 1000;
  let delay = run.policy.retry.initialBackoffSeconds * 1000;
  for (;;) {
    const cap = await readPoolCap(run);
    if (cap.known) return cap.note ? [cap.note] : [];
    const now = clock.now();
    if (now >= deadline) throw poolsUnknownError(cap.reason, run.policy.timeouts.gateSeconds);
    run.log('warn', `waiting: ${cap.reason}`);
    await pause(clock, Math.min(delay, deadline - now), run.signal);
    delay = Math.min(delay * 2, run.policy.retry.maxBackoffSeconds * 1000);
  }
}
