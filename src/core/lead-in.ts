/**
 * Lead-in (issue 15): the steps at the head of a unit that may run while the unit before it in
 * a one-at-a-time phase is still booting. They only record (a verified state backup) and take
 * nothing out of service; they hold the one Terraform state, so they may start only once the
 * unit before holds it no more: after its last state step (its VM replacement), while its fresh
 * machine boots, gets its config, turns Ready and rejoins etcd (some 400 s of idle state).
 *
 * What stays behind the previous unit, and why: the etcd gate and everything after it. The gate
 * needs the previous member back and healthy (invariant etcd-quorum); the cordon takes the node
 * out of service (at most one control plane node at a time); the etcd leave and the replacement
 * re-check right before they act (invariant recheck-before-act). The scoped plan check stays
 * right before the etcd leave too: besides the plan's scope it proves the state usable right
 * then (a Terraform lock someone took after an early check would strand a member that already
 * left etcd with no VM: chaos seed 132 found exactly that). A backup taken ahead proves nothing
 * by itself either: the plan check and the replacement take a fresh one when the state's serial
 * moved on (engine/state-backup.ts ensureFreshBackup).
 */
import type { NodeUnit, PlanStep } from './plan.js';

/** Actions a unit may run ahead, while the unit before it boots. */
export const LEAD_IN_ACTIONS: ReadonlySet<PlanStep['action']> = new Set(['backup-state']);

/** Actions that hold the one Terraform state. */
export const STATE_ACTIONS: ReadonlySet<PlanStep['action']> = new Set([
  'backup-state',
  'check-replace-plan',
  'replace-vm',
]);

/** The unit's lead-in: its leading steps of LEAD_IN_ACTIONS (none for most units). */
export function leadInOf(unit: NodeUnit): PlanStep[] {
  const end = unit.steps.findIndex((s) => !LEAD_IN_ACTIONS.has(s.action));
  return unit.steps.slice(0, end < 0 ? unit.steps.length : end);
}

/**
 * The step after which the unit holds the state no more (its last state step), when the next
 * unit's lead-in may start; undefined when the unit holds none (then no lead-in overlaps it).
 */
export function releasesStateAfter(unit: NodeUnit): PlanStep | undefined {
  return unit.steps.findLast((s) => STATE_ACTIONS.has(s.action));
}
