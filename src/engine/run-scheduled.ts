/**
 * A phase's units as many at a time as the disruption policy allows (invariant
 * disruption-budget), counting nodes that are down on their own: the pipelined scheduler. Each
 * round picks what may go now (next-batch.ts) and starts it; units started together replace
 * their VMs in one Terraform operation (steps/vm-batch). With units in flight it waits for the
 * next to end; with none and nothing allowed to go it backs off (held-back-wait.ts). The first
 * failure stops new starts; the phase waits for units in flight (see run-unit) and rethrows it.
 */
import type { NodeUnit } from '../core/plan.js';
import type { RunState } from './context.js';
import { HeldBackWait } from './held-back-wait.js';
import { hasAnyEntry, isStepDone } from './journal-view.js';
import { pickNextBatch, type HeldBack } from './next-batch.js';
import type { StepRunOptions } from './run-step.js';
import { runUnit } from './run-unit.js';
import { isWindowClosed } from './window-gate.js';
import { isBatchMateStop, leaveVmBatch, openVmBatch } from './steps/vm-batch.js';
import { leaveBatchBackup, openBatchBackup } from './steps/vm-batch-backup.js';

export async function runScheduled(
  run: RunState,
  units: NodeUnit[],
  options: StepRunOptions,
): Promise<void> {
  const flight = new UnitsInFlight(run, options, units);
  const { pending, running } = flight;
  // Units a crashed run left half-done are out of service already: finish them first.
  flight.start(
    pending.filter((u) =>
      hasAnyEntry(
        run.entries,
        u.steps.map((s) => s.id),
      ),
    ),
  );
  const heldBack = new HeldBackWait(run);
  let held: HeldBack = { pools: undefined, capacity: undefined };
  while (!run.stopRequested && (pending.length > 0 || running.size > 0)) {
    if (run.signal?.aborted) break;
    if (pending.length > 0) {
      const pick = await pickNextBatch(run, units, pending, new Set(running.keys()));
      // Nodes unreadable: nothing starts this round, and what held units back still does.
      if (pick !== undefined) {
        held = pick.held;
        flight.start(pick.units);
      }
    }
    if (running.size > 0) {
      heldBack.reset();
      await flight.nextEnd();
    } else if (pending.length > 0) {
      await heldBack.wait(held, pending);
    }
  }
  await flight.finish();
}

/** The units of a phase not yet started, and those started that have not ended. */
class UnitsInFlight {
  readonly pending: NodeUnit[];
  readonly running = new Map<string, Promise<void>>();
  private readonly errors: unknown[] = [];

  constructor(
    private readonly run: RunState,
    private readonly options: StepRunOptions,
    units: NodeUnit[],
  ) {
    this.pending = units.filter((u) => !u.steps.every((s) => isStepDone(run.entries, s.id)));
  }

  /** Units started together share one Terraform operation for their VMs (steps/vm-batch). */
  start(together: NodeUnit[]): void {
    openVmBatchOf(this.run, together);
    for (const unit of together) {
      this.pending.splice(this.pending.indexOf(unit), 1);
      const p = runUnit(this.run, unit, this.options)
        .catch((error) => this.failed(error))
        .finally(() => this.settle(unit));
      this.running.set(unit.node, p);
    }
  }

  nextEnd(): Promise<void> {
    return Promise.race(this.running.values());
  }

  /** Waits for every unit in flight, then rethrows the failure that stopped the phase. */
  async finish(): Promise<void> {
    await Promise.all(this.running.values());
    const { errors } = this;
    // The cause, not a batch mate that stopped because of it; a real failure before the window's end.
    if (errors.length > 0)
      throw (
        errors.find((e) => !isBatchMateStop(e) && !isWindowClosed(e)) ??
        errors.find((e) => !isBatchMateStop(e)) ??
        errors[0]
      );
  }

  private failed(error: unknown): void {
    this.errors.push(error);
    // A unit the window held back stops nothing: the units running finish their cycles.
    if (!isWindowClosed(error)) this.run.stopRequested = true;
  }

  /** A unit ended: no batch waits for it any longer. */
  private settle(unit: NodeUnit): void {
    this.running.delete(unit.node);
    leaveVmBatches(this.run, [unit]);
  }
}

/** The replace-vm steps of these units still to run, as one batch (none for a lone unit). */
function openVmBatchOf(run: RunState, units: NodeUnit[]): void {
  const steps = units.flatMap((u) =>
    u.steps.filter((s) => s.action === 'replace-vm' && !isStepDone(run.entries, s.id)),
  );
  if (steps.length > 1) openVmBatch(run, steps);
  // ...and one state backup before it (steps/vm-batch-backup).
  openBatchBackup(
    run,
    units.flatMap((u) =>
      u.steps.filter((s) => s.action === 'backup-state' && !isStepDone(run.entries, s.id)),
    ),
  );
}

function leaveVmBatches(run: RunState, units: NodeUnit[]): void {
  for (const u of units)
    for (const s of u.steps) {
      if (s.action === 'replace-vm') leaveVmBatch(run, s.id);
      if (s.action === 'backup-state') leaveBatchBackup(run, s.id);
    }
}
