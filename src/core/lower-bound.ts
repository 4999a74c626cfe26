/**
 * The shortest makespan ANY schedule could reach for a plan under the same constraints and the
 * same nominal step durations: the yardstick a run's real duration is reported against.
 *
 * A step does not always take its nominal duration: gates, verifications and waits take nothing
 * when the world is already as it should be, and a boot varies. Every step counts here for the
 * shortest time it can take in any run (durations.ts `stepMinimums`: the world's own work its
 * nominal duration, a boot its shortest, a check 0, wait-ready only the boot the apply-config
 * before it does not cover). A unit's length is the sum of its steps' minimums.
 *
 * Phases run in order and a phase's cluster steps run before its units, so the bound is the sum
 * over phases of (cluster steps) + (units). Within a phase:
 *
 * - Template rebuilds: k rebuilds of equal duration d on at most c slots
 *   (templateRebuildConcurrency; the engine rebuilds a batch of up to c in one state operation).
 *   Some slot must run at least ceil(k/c) of them one after the other, and each wave is a
 *   state-changing apply behind its own verified backup b, so they take at least
 *   ceil(k/c) * (b + d). Other cluster steps are serial.
 * - Units one at a time (control plane, and every unit phase that is not disruption-policy):
 *   the sum of the unit lengths, less what each unit's lead-in (core/lead-in.ts: its backup and
 *   plan check) can hide behind the unit before: at most the shorter of the lead-in and the
 *   steps that unit still has after its last state step (its boot). Nothing else overlaps.
 * - Units under the disruption policy (W workers out of service, K failure domains at once; for
 *   pets W is also capped by the batch size). A unit counts as out of service from its first
 *   step to its last, exactly as the scheduler counts it. Any valid schedule takes at least the
 *   largest of four bounds:
 *     1. critical path: the longest single unit (its steps are sequential);
 *     2. area: the total unit length divided by W (never more than W units at once);
 *     3. domains: a domain with units in progress is "active". Domain d is active for at least
 *        A_d = max(longest unit of d, length of d / W, one-state bound 4 over d's units alone).
 *        At most K domains are active at any moment, so the sum of active times is at most
 *        K * makespan, hence the makespan is at least (sum of A_d) / K. With K = 1 this is the
 *        domains one after the other.
 *     4. one state: backup-state and replace-vm hold the single Terraform state (one operation
 *        at a time, however many workers are out; both are work, so each takes its nominal
 *        duration). Units started together share one backup (engine/steps/vm-batch-backup.ts)
 *        and their replacements are one plan and apply (engine/steps/vm-batch.ts); one apply
 *        recreates at most W VMs (each is out of service), so n units need at least ceil(n / W)
 *        applies, each behind its own backup (the apply before it changed the state).
 *        Their total S runs end to end; before the first of them some unit must have
 *        done its steps up to its first such step (at least the smallest such prefix P), and
 *        after the last one that unit still has its remaining steps (at least the smallest such
 *        suffix Q, whose VM boot and wait for Ready dominate): P + S + Q. These three stretches
 *        do not overlap and in each some unit is in progress, so over one domain's units alone
 *        P + S + Q is also time during which that domain is active (used in 3).
 *   A unit whose batch mate took the shared backup waits for it but holds nothing, so a unit's
 *   length in 1-3 counts its backup-state as 0; the batches' backups are unit time all the
 *   same (the unit that takes one is in progress meanwhile), so the area in 2 (and per domain
 *   in 3) adds ceil(n / W) of them to the units' total before dividing by W.
 *   Each is a true lower bound, so their maximum is one. For the sequential default (W = K = 1)
 *   bound 2 is the sum of all unit lengths, which a one-at-a-time schedule whose steps all take
 *   their minimum reaches: tight.
 */
import { DroverError } from './errors.js';
import type { Inventory } from './inventory.js';
import { findNode } from './inventory.js';
import type { Plan, PlanPhase, PlanStep } from './plan.js';
import { boundSeconds, stepMinimums } from './durations.js';
import { leadInOf, releasesStateAfter, STATE_ACTIONS } from './lead-in.js';
import type { StepDurations } from './durations.js';
import { checkDisruptionPolicy, disruptionDomain, disruptionFor } from './schedule.js';

/** Steps that hold the one Terraform state, whatever the worker budget. */
const STATE_BOUND_ACTIONS = STATE_ACTIONS;
/**
 * Of those, the ones that units started together share: their VMs are recreated by one plan and
 * one apply (engine/steps/vm-batch.ts), which takes its nominal duration however many VMs it
 * creates (Terraform creates them in parallel), behind one backup (vm-batch-backup.ts). The
 * control plane's plan check holds the state once per unit.
 */
const BATCHED_STATE_ACTIONS: ReadonlySet<PlanStep['action']> = new Set([
  'backup-state',
  'replace-vm',
]);

/** The step a batch mate may find done for it: it takes nothing of its own unit's time. */
const SHARED_BY_MATES: PlanStep['action'] = 'backup-state';

/**
 * A unit's shortest length under the disruption policy, where its backup may be a batch
 * mate's, and the shortest such backup (0 when it has none).
 */
function unitUnderPolicy(
  steps: readonly PlanStep[],
  durations: StepDurations,
): { length: number; backup: number } {
  const minimums = stepMinimums(steps, durations);
  const shared = steps.map((s) => s.action === SHARED_BY_MATES);
  return {
    length: sum(minimums.filter((_, i) => !shared[i])),
    backup: sum(minimums.filter((_, i) => shared[i])),
  };
}

/**
 * The least total unit time of `units` with at most `perBatch` started together: every unit's
 * own length, plus one shared backup per batch (at least ceil(n / perBatch) batches).
 */
function unitTime(units: PlanPhase['units'], durations: StepDurations, perBatch: number): number {
  const each = units.map((u) => unitUnderPolicy(u.steps, durations));
  const backups = each.filter((u) => u.backup > 0).map((u) => u.backup);
  const batches = Math.ceil(backups.length / Math.max(1, perBatch));
  return sum(each.map((u) => u.length)) + (batches === 0 ? 0 : batches * Math.min(...backups));
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * P + S + Q over `units` with at most `perOperation` VMs recreated by one apply: S is every
 * unit's own state steps, plus ceil(n / perOperation) applies of the shortest replacement, each
 * behind its shared backup. `prefixOf`: the units whose prefixes P is the least of; over one
 * domain's units, the whole phase's (a batch's backup may be taken by a unit of another
 * domain, while this domain's units of the batch wait for it).
 */
function stateBound(
  units: PlanPhase['units'],
  durations: StepDurations,
  perOperation: number,
  prefixOf: PlanPhase['units'] = units,
): number {
  let own = 0;
  let batched = Infinity;
  let count = 0;
  const prefix = Math.min(...prefixOf.map((u) => prefixBeforeState(u.steps, durations)));
  let suffix = Infinity;
  for (const unit of units) {
    const holds = unit.steps.map((s) => STATE_BOUND_ACTIONS.has(s.action));
    const first = holds.indexOf(true);
    if (first < 0) continue;
    const last = holds.lastIndexOf(true);
    // Minimums of the whole unit, so each step keeps the step before it as its context.
    const minimums = stepMinimums(unit.steps, durations);
    const shared = unit.steps.map((s) => BATCHED_STATE_ACTIONS.has(s.action));
    own += sum(minimums.filter((_, i) => holds[i] && !shared[i]));
    if (shared.includes(true)) {
      count += 1;
      batched = Math.min(batched, sum(minimums.filter((_, i) => shared[i])));
    }
    suffix = Math.min(suffix, sum(minimums.slice(last + 1)));
  }
  const applies = count === 0 ? 0 : Math.ceil(count / Math.max(1, perOperation)) * batched;
  const serialized = own + applies;
  return serialized === 0 ? 0 : prefix + serialized + suffix;
}

/** The shortest time before a unit's first state step (Infinity when it has none). */
function prefixBeforeState(steps: readonly PlanStep[], durations: StepDurations): number {
  const first = steps.findIndex((s) => STATE_BOUND_ACTIONS.has(s.action));
  return first < 0 ? Infinity : sum(stepMinimums(steps, durations).slice(0, first));
}

function clusterStepsBound(phase: PlanPhase, plan: Plan, durations: StepDurations): number {
  const rebuilds = phase.steps.filter((s) => s.action === 'rebuild-template');
  const others = phase.steps.filter((s) => s.action !== 'rebuild-template');
  const slots = Math.max(1, plan.policy.disruption.templateRebuildConcurrency);
  const waves = Math.ceil(rebuilds.length / slots);
  const each = rebuilds.length === 0 ? 0 : Math.min(...stepMinimums(rebuilds, durations));
  // Each wave is a state-changing apply: a verified backup of the state goes before it
  // (invariant backup-before-destroy), and the wave before it changed the state.
  return waves * (each + durations['backup-state']) + boundSeconds(others, durations);
}

function disruptionUnitsBound(
  phase: PlanPhase,
  plan: Plan,
  inventory: Inventory,
  durations: StepDurations,
): number {
  const budget = disruptionFor(plan.kind, plan.policy);
  checkDisruptionPolicy(budget);
  const { maxUnavailableWorkers: w, maxUnavailableDomains: k } = budget;
  const unitsByDomain = new Map<string, PlanPhase['units']>();
  for (const unit of phase.units) {
    const node = findNode(inventory, unit.node);
    if (node === undefined) {
      throw new DroverError(
        'input',
        'PLAN_INVENTORY_MISMATCH',
        `plan node ${unit.node} is not in the inventory`,
        {
          hint: 'Build the plan and the estimate from the same inventory.',
          details: { node: unit.node },
        },
      );
    }
    const domain = disruptionDomain(node);
    unitsByDomain.set(domain, [...(unitsByDomain.get(domain) ?? []), unit]);
  }
  if (phase.units.length === 0) return 0;
  const longest = (units: PlanPhase['units']) =>
    Math.max(...units.map((u) => unitUnderPolicy(u.steps, durations).length));
  const criticalPath = longest(phase.units);
  const area = unitTime(phase.units, durations, w) / w;
  // Per domain, the units' own lengths only: a batch spanning domains shares one backup, which
  // a unit of another domain may take.
  const activePerDomain = [...unitsByDomain.values()].map((units) =>
    Math.max(
      longest(units),
      sum(units.map((u) => unitUnderPolicy(u.steps, durations).length)) / w,
      stateBound(units, durations, w, phase.units),
    ),
  );
  const domains = sum(activePerDomain) / k;
  return Math.max(criticalPath, area, domains, stateBound(phase.units, durations, w));
}

/**
 * Units one at a time, each its steps end to end, except that a unit's lead-in (core/lead-in.ts)
 * may run while the unit before finishes what follows its last state step: the next unit can
 * gain at most the shorter of its lead-in and that tail. Nothing else of a unit overlaps.
 */
function oneAtATimeBound(units: PlanPhase['units'], durations: StepDurations): number {
  let total = 0;
  let tail = 0;
  for (const unit of units) {
    const minimums = stepMinimums(unit.steps, durations);
    total += sum(minimums);
    total -= Math.min(tail, sum(minimums.slice(0, leadInOf(unit).length)));
    const release = releasesStateAfter(unit);
    tail = release === undefined ? 0 : sum(minimums.slice(unit.steps.indexOf(release) + 1));
  }
  return total;
}

export function lowerBoundSeconds(
  plan: Plan,
  inventory: Inventory,
  durations: StepDurations,
): number {
  let total = 0;
  for (const phase of plan.phases) {
    total += clusterStepsBound(phase, plan, durations);
    total +=
      phase.concurrency === 'disruption-policy'
        ? disruptionUnitsBound(phase, plan, inventory, durations)
        : oneAtATimeBound(phase.units, durations);
  }
  return total;
}
