/**
 * Workers that the disruption policy lets go down together are replaced by ONE Terraform
 * operation: one verified backup, one plan with a `-target`/`-replace` pair per node, the scope
 * check per node, the pre-act check per node, one apply (Terraform creates the VMs in parallel).
 * The state holds one operation at a time, so replacements that each took the state for a whole
 * plan and apply (~5 min) queued one behind the other whatever the budget allowed.
 *
 * The scheduler opens a batch for the units it starts together (run-scheduled). Each unit's
 * replace-vm step still runs as its own step (own journal entries, own evidence): it leaves the
 * batch when its VM is known to be recreated already, when it failed or stopped before deciding
 * (run-scheduled also leaves for a unit that ends before its replace-vm), or joins and waits. Once
 * every member has decided, the operation runs for those that joined. Outcomes are per node:
 * a VM that failed in the apply fails that node's step only; the others succeed, and a retry
 * (or a resumed run) re-reads each node's evidence and plans only what is still to do.
 */
import { StepBatches } from './step-batches.js';
import type { PlanStep } from '../../core/plan.js';
import type { RunState, StepContext, StepResult } from '../context.js';
import { replaceVms } from './vm-batch-replace.js';
import { isBatchMateStop } from './vm-batch-scope.js';

export { isBatchMateStop };

export interface VmMember {
  ctx: StepContext;
  addresses: string[];
  /** Why this member's VM is already recreated (re-read before every attempt), or undefined. */
  evidence(attempt: number): Promise<string | undefined>;
  /** Result data every outcome of this member carries (the machine seen before). */
  data: Record<string, unknown>;
}

type Settle = { resolve: (r: StepResult) => void; reject: (e: unknown) => void };

export class VmBatch {
  private readonly undecided: Set<string>;
  private readonly joined = new Map<string, { member: VmMember; settle: Settle }>();
  private started = false;

  constructor(
    private readonly run: RunState,
    readonly steps: readonly PlanStep[],
  ) {
    this.undecided = new Set(steps.map((s) => s.id));
  }

  /** The member's VM must be recreated: resolves with its own outcome once the operation ran. */
  replace(member: VmMember): Promise<StepResult> {
    const id = member.ctx.step.id;
    if (!this.undecided.has(id))
      throw new Error(`step ${id} is not an undecided member of this VM batch`);
    const result = new Promise<StepResult>((resolve, reject) =>
      this.joined.set(id, { member, settle: { resolve, reject } }),
    );
    this.decided(id);
    return result;
  }

  /** The member will not join (already replaced, failed or stopped before deciding); idempotent. */
  leave(stepId: string): void {
    if (this.undecided.has(stepId)) this.decided(stepId);
  }

  private decided(stepId: string): void {
    this.undecided.delete(stepId);
    if (this.undecided.size > 0 || this.joined.size === 0 || this.started) return;
    this.started = true;
    const members = this.steps.flatMap((s) => this.joined.get(s.id) ?? []);
    void replaceVms(this.run, members);
  }
}

/** A member that joined, with how to settle its step's outcome. */
export type Joined = { member: VmMember; settle: Settle };

/** Batches run-scheduled opened, by run and step id; a step run on its own is a batch of one. */
const openBatches = new StepBatches<VmBatch>();

export function openVmBatch(run: RunState, steps: readonly PlanStep[]): VmBatch {
  return openBatches.open(
    run,
    steps.map((s) => s.id),
    new VmBatch(run, steps),
  );
}

/** Leaves (and forgets) the batch of this step, if any: its unit ended or will not replace. */
export function leaveVmBatch(run: RunState, stepId: string): void {
  const batch = openBatches.of(run, stepId);
  if (batch === undefined) return;
  openBatches.forget(run, stepId);
  batch.leave(stepId);
}

export function vmBatchOf(ctx: StepContext): VmBatch {
  return openBatches.of(ctx.run, ctx.step.id) ?? new VmBatch(ctx.run, [ctx.step]);
}
