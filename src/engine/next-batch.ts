/**
 * The scheduler's pick (run-scheduled.ts): of the units pending, the ones that may go out of
 * service now, together. The disruption budget counts nodes out of service on their own
 * (invariant disruption-budget), the Ceph pools' tolerance caps the OSD domains down, and the
 * pods the batch evicts must fit on the workers staying in service (issue 15).
 */
import type { GateDecision } from '../core/gates.js';
import { findNode } from '../core/inventory.js';
import type { InventoryNode } from '../core/inventory.js';
import type { NodeUnit } from '../core/plan.js';
import { disruptionFor, pickRunnableUnits } from '../core/schedule.js';
import { GATE_READ } from '../ports/kubernetes.js';
import { fitBatchToCapacity } from './capacity-fit.js';
import type { RunState } from './context.js';
import { outOfServiceNow } from './out-of-service.js';
import { readPoolCap, type PoolBlocker } from './storage-cap.js';

/** What held pending units back at the last pick: the refusal it becomes at the deadline. */
export interface HeldBack {
  pools: PoolBlocker | undefined;
  capacity: Exclude<GateDecision, { verdict: 'pass' }> | undefined;
}

export interface BatchPick {
  /** To start now, together; none when nothing may go. */
  units: NodeUnit[];
  held: HeldBack;
}

function nodesOf(run: RunState, units: NodeUnit[]): InventoryNode[] {
  return units.flatMap((u) => findNode(run.inventory, u.node) ?? []);
}

/**
 * The units of `pending` to start now, given the units of the phase (`units`) and those
 * `running`. Undefined when the nodes cannot be read: nothing starts this round.
 */
export async function pickNextBatch(
  run: RunState,
  units: NodeUnit[],
  pending: NodeUnit[],
  running: ReadonlySet<string>,
): Promise<BatchPick | undefined> {
  const nodes = await run.kubernetes.nodeReads.listNodes(GATE_READ).catch(() => undefined);
  if (nodes === undefined) return undefined;
  const waiting = new Set(pending.map((u) => u.node));
  // The pre-act check's view (out-of-service.ts): a batch it would refuse is not started.
  // A pending node cordoned by someone else is Drover's to take, not a loss of its own.
  const outOfService = await outOfServiceNow(
    run,
    nodesOf(run, units).filter((n) => !running.has(n.name)),
    nodes,
    { cordonedIsOut: (n) => !waiting.has(n.name) },
  );
  // Ceph: the pools' tolerance caps the OSD domains down; unknown opens none. Under a
  // policy of one domain only a tolerance of 0 could lower it, which is refused before
  // the first node (storage-cap.ts); the pre-act check reads them where they can bind.
  const osdPending =
    disruptionFor(run.plan.kind, run.policy).maxUnavailableDomains > 1 &&
    nodesOf(run, pending).some((n) => n.storage?.osd === true);
  const pools = osdPending ? await readPoolCap(run) : undefined;
  const budgeted = pickRunnableUnits({
    pending: nodesOf(run, pending),
    inProgress: nodesOf(
      run,
      units.filter((u) => running.has(u.node)),
    ),
    outOfService,
    policy: disruptionFor(run.plan.kind, run.policy),
    poolTolerance: pools === undefined ? undefined : pools.known ? pools.tolerated : 0,
  });
  // Issue 15: the evicted pods must fit on the workers staying in service, else fewer go.
  const fit = await fitBatchToCapacity(
    run,
    budgeted,
    nodes,
    new Set([...running, ...outOfService.map((n) => n.name)]),
  );
  const capacity = fit.decision.verdict === 'pass' ? undefined : fit.decision;
  if (capacity && fit.fitting.length > 0)
    run.log(
      'info',
      `batch shrunk to ${fit.fitting.map((n) => n.name).join(', ')}: ${capacity.reason}`,
    );
  const picked = fit.fitting;
  return {
    units: picked.flatMap(
      (node) => pending.find((u) => u.node === node.name && !running.has(u.node)) ?? [],
    ),
    held: { pools: pools?.blocker, capacity },
  };
}
