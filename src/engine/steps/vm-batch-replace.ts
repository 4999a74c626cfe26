/**
 * A VM batch's outcomes (vm-batch.ts) over its attempts: the one state operation
 * (vm-batch-apply.ts) retried as a whole, for the members left, per policy.retry; a Terraform
 * lock someone else holds waited out (foreign-lock-wait.ts). Before every attempt each member's
 * evidence is re-read: a VM already recreated is never replaced again. Every member is settled
 * once: succeeded, refused, or stopped with the batch's failure.
 */
import { DroverError } from '../../core/errors.js';
import type { RunState, StepResult } from '../context.js';
import { withRetry } from '../retry.js';
import type { Joined } from './vm-batch.js';
import { applyOnce } from './vm-batch-apply.js';
import { BatchRefusal } from './vm-batch-scope.js';
import { waitingOutForeignLocks } from './foreign-lock-wait.js';

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

type Finish = (j: Joined, result: StepResult) => void;

/** The one state operation of a batch, retried as a whole (for what is left) per policy.retry. */
export async function replaceVms(run: RunState, all: Joined[]): Promise<void> {
  const open = new Set(all);
  const finish: Finish = (j, result) => {
    open.delete(j);
    j.settle.resolve(result);
  };
  const names = all.map((j) => j.member.ctx.node?.name ?? j.member.ctx.step.id);
  let attempt = 0;
  const attemptOnce = () =>
    run.stateMutex.runExclusive(async () => {
      attempt += 1;
      await settleAlreadyReplaced(run, open, attempt, finish);
      const todo = [...open];
      if (todo.length === 0) return;
      await applyOnce(run, todo, (j, created) => finish(j, replacedResult(j, todo, created)));
    });
  try {
    await waitingOutForeignLocks(run, `replacing the VM(s) of ${names.join(', ')}`, () =>
      withRetry(attemptOnce, {
        clock: run.ports.clock,
        retry: run.policy.retry,
        ...(run.signal ? { signal: run.signal } : {}),
        onRetry: (error, n) =>
          run.log(
            'warn',
            `replacing the VM(s) of ${[...open].map((j) => j.member.ctx.node?.name).join(', ')} failed (attempt ${n}), retrying: ${messageOf(error)}`,
          ),
      }),
    );
  } catch (error) {
    stopOpen(open, error);
    return;
  }
  // Every member is settled on success; a member left open here is a bug, never a hang.
  for (const j of open)
    j.settle.reject(new Error(`the VM batch of ${names.join(', ')} ended without an outcome`));
}

/** Members whose VM is already recreated (evidence re-read now) succeed with no apply. */
async function settleAlreadyReplaced(
  run: RunState,
  open: Set<Joined>,
  attempt: number,
  finish: Finish,
): Promise<void> {
  for (const j of [...open]) {
    const evidence = await j.member.evidence(attempt);
    if (evidence === undefined) continue;
    const node = j.member.ctx.node?.name ?? '';
    run.log(
      'info',
      `the VM of ${node} was already recreated (${evidence}); not replacing it again`,
      node,
    );
    finish(j, {
      outcome: 'succeeded',
      message: `already replaced: ${evidence}`,
      data: { vmReplaced: true, evidence, ...j.member.data },
    });
  }
}

/** The outcome of a member whose VM the apply of `todo` recreated. */
function replacedResult(j: Joined, todo: Joined[], created: string[]): StepResult {
  return {
    outcome: 'succeeded',
    ...(todo.length > 1
      ? { message: `recreated in one apply with ${todo.length - 1} other node(s)` }
      : {}),
    data: {
      vmReplaced: true,
      created,
      ...(todo.length > 1 ? { batch: todo.map((t) => t.member.ctx.node?.name ?? '') } : {}),
      ...j.member.data,
    },
  };
}

/** The batch failed: every member still open stops, with its own refusal or the batch's error. */
function stopOpen(open: Set<Joined>, error: unknown): void {
  // A refusal that names its node (its own plan reached beyond its VM) fails that node; its
  // batch mates were not applied either and stop with it, saying why.
  // The refusal's keys are this batch's own members (scope checks see only their nodes).
  const refused =
    error instanceof BatchRefusal
      ? (error.refused as Map<Joined, unknown>)
      : new Map<Joined, unknown>();
  for (const [j, cause] of refused) if (open.delete(j)) j.settle.reject(cause);
  const mate =
    refused.size === 0
      ? error
      : new DroverError(
          'refused',
          'BATCH_MATE_REFUSED',
          `not replaced: the Terraform plan of its batch was refused for ${[...refused.keys()].map((j) => j.member.ctx.node?.name).join(', ')}`,
          {
            hint: "Nothing of the batch was applied. Fix what the refused node's error names, then run again with --resume.",
            details: { batchMate: true },
          },
        );
  for (const j of open) j.settle.reject(mate);
}
