/**
 * One verified state backup per VM batch (issue 15). Units started together have their VMs
 * recreated by one apply (vm-batch.ts), so one backup of the state before it serves them all:
 * each unit's backup-state step used to take its own, one after the other under the state
 * mutex (10 s, 19 s, 29 s for three workers), before the one apply that needed only the last.
 *
 * The first member to reach its backup-state step takes the backup; the others wait for it and
 * report it as theirs. It is reused only while this run has sent no apply since it was taken
 * (state-backup.ts counts them): after one, a member takes a fresh backup as before. This is
 * the step's own promise; the backup rule itself is held where the VMs go, by the batch's apply
 * (vm-batch-apply.ts: ensureFreshBackup on the state's live serial, whoever changed it).
 */
import type { PlanStep } from '../../core/plan.js';
import type { RunState, StepContext, VerifiedBackup } from '../context.js';
import { stateChangesOf, takeVerifiedBackup } from '../state-backup.js';
import { StepBatches } from './step-batches.js';

export interface SharedBackupResult {
  backup: VerifiedBackup;
  /** The member whose step took it; undefined when this step took it. */
  takenBy: string | undefined;
}

export class SharedBackup {
  private taking:
    { promise: Promise<VerifiedBackup>; by: string; stateChanges: number } | undefined;

  constructor(readonly nodes: readonly string[]) {}

  /** The batch's backup: taken by the first member to ask, shared with the rest. */
  async backup(ctx: StepContext): Promise<SharedBackupResult> {
    const me = ctx.node?.name ?? ctx.step.id;
    const run = ctx.run;
    const current = this.taking;
    if (current !== undefined) {
      // A backup that failed for the member taking it is this member's to take again.
      const backup = await current.promise.catch(() => undefined);
      // Only while no apply has gone out since it was taken (also while this member waited).
      if (backup !== undefined && current.stateChanges === stateChangesOf(run))
        return { backup, takenBy: current.by === me ? undefined : current.by };
    }
    const stateChanges = stateChangesOf(run);
    const promise = run.stateMutex.runExclusive(() =>
      takeVerifiedBackup(ctx, this.nodes.join('--')),
    );
    const taking = { promise, by: me, stateChanges };
    this.taking = taking;
    // A failed backup is nobody's: the next member to ask takes it again.
    promise.catch(() => {
      if (this.taking === taking) this.taking = undefined;
    });
    return { backup: await promise, takenBy: undefined };
  }
}

/** Shares run-scheduled opened, by run and backup-state step id. */
const shares = new StepBatches<SharedBackup>();

/** The backup-state steps of units started together share one backup (none for a lone step). */
export function openBatchBackup(
  run: RunState,
  steps: readonly PlanStep[],
): SharedBackup | undefined {
  if (steps.length < 2) return undefined;
  return shares.open(
    run,
    steps.map((s) => s.id),
    new SharedBackup(steps.flatMap((s) => (s.node === undefined ? [] : [s.node]))),
  );
}

/** Forgets the share of this step (its unit ended). */
export function leaveBatchBackup(run: RunState, stepId: string): void {
  shares.forget(run, stepId);
}

export function batchBackupOf(ctx: StepContext): SharedBackup | undefined {
  return shares.of(ctx.run, ctx.step.id);
}
