/**
 * The one Terraform operation of a VM batch (vm-batch.ts): per attempt, each node's evidence is
 * re-read (a VM already recreated is never replaced again), then one verified backup, one plan
 * with a `-target`/`-replace` pair per node left, the scope check per node (vm-batch-scope.ts),
 * the pre-act re-check per node, and one apply. Outcomes are per node: the VMs a failed apply
 * reports created succeed, the others fail with its error or are retried if it is transient.
 */
import { DroverError, isDroverError } from '../../core/errors.js';
import type { RunState, StepResult } from '../context.js';
import { preActCheck } from '../pre-act-check.js';
import { withRetry } from '../retry.js';
import { appendEntry } from '../run-step.js';
import { isInside } from '../../core/terraform-address.js';
import { ensureFreshBackup, noteStateChange } from '../state-backup.js';
import {
  journalApplyStarting,
  journalPlanStarting,
  releaseOwnStaleLock,
} from '../state-lock-recovery.js';
import type { Joined } from './vm-batch.js';
import { assertBatchScope, attributeRefusal, BatchRefusal } from './vm-batch-scope.js';
import { waitingOutForeignLocks } from './foreign-lock-wait.js';

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** Addresses the apply reported complete (apply_complete), when its error says. */
function completedOf(error: unknown): string[] {
  const completed = isDroverError(error) ? error.details?.completed : undefined;
  return Array.isArray(completed)
    ? completed.filter((a): a is string => typeof a === 'string')
    : [];
}

/** The one state operation of a batch, retried as a whole (for what is left) per policy.retry. */
export async function replaceVms(run: RunState, all: Joined[]): Promise<void> {
  const open = new Set(all);
  const finish = (j: Joined, result: StepResult) => {
    open.delete(j);
    j.settle.resolve(result);
  };
  const names = all.map((j) => j.member.ctx.node?.name ?? j.member.ctx.step.id);
  let attempt = 0;
  try {
    await waitingOutForeignLocks(run, `replacing the VM(s) of ${names.join(', ')}`, () =>
      withRetry(
        () =>
          run.stateMutex.runExclusive(async () => {
            attempt += 1;
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
            const todo = [...open];
            if (todo.length === 0) return;
            await applyOnce(run, todo, (j, created) =>
              finish(j, {
                outcome: 'succeeded',
                ...(todo.length > 1
                  ? { message: `recreated in one apply with ${todo.length - 1} other node(s)` }
                  : {}),
                data: {
                  vmReplaced: true,
                  created,
                  ...(todo.length > 1
                    ? { batch: todo.map((t) => t.member.ctx.node?.name ?? '') }
                    : {}),
                  ...j.member.data,
                },
              }),
            );
          }),
        {
          clock: run.ports.clock,
          retry: run.policy.retry,
          ...(run.signal ? { signal: run.signal } : {}),
          onRetry: (error, n) =>
            run.log(
              'warn',
              `replacing the VM(s) of ${[...open].map((j) => j.member.ctx.node?.name).join(', ')} failed (attempt ${n}), retrying: ${messageOf(error)}`,
            ),
        },
      ),
    );
  } catch (error) {
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
    return;
  }
  // Every member is settled on success; a member left open here is a bug, never a hang.
  for (const j of open)
    j.settle.reject(new Error(`the VM batch of ${names.join(', ')} ended without an outcome`));
}

/** One plan and one apply for `todo`; `done` is called for each member whose VM was recreated. */
async function applyOnce(
  run: RunState,
  todo: Joined[],
  done: (j: Joined, created: string[]) => void,
): Promise<void> {
  const once = { retry: false };
  // The backup, the plan and the audit go under the batch's first member.
  const lead = (todo[0] as Joined).member.ctx;
  const nodes = todo.map((j) => j.member.ctx.node?.name ?? j.member.ctx.step.id);
  const addresses = todo.flatMap((j) => j.member.addresses);
  const backup = await ensureFreshBackup(lead, nodes.join('--'));
  const planOnce = async () => {
    await journalPlanStarting(lead);
    return lead.call(
      'infrastructure.plan',
      { replace: addresses, ...(todo.length > 1 ? { batch: nodes } : {}) },
      () =>
        run.ports.infrastructure.plan({
          replace: addresses,
          ...(run.signal ? { signal: run.signal } : {}),
        }),
      once,
    );
  };
  // An apply that died with its process left this run's own lock: release it, plan again.
  const plan = await planOnce().catch(async (error: unknown) => {
    if (!(await releaseOwnStaleLock(lead, error))) throw error;
    return planOnce();
  });
  try {
    assertBatchScope(plan, todo);
  } catch (error) {
    await run.ports.infrastructure.discardPlan?.(plan);
    // A change outside every node: plan each node alone to find whose plan drags it in, so the
    // refusal names that node (nothing is applied either way).
    if (todo.length > 1 && !(error instanceof BatchRefusal)) await attributeRefusal(run, todo);
    throw error;
  }
  // Right before the act, per node: lease, budget, etcd, Ceph (invariant recheck-before-act). The lead's check
  // runs inside its own call below.
  try {
    for (const j of todo.slice(1)) await preActCheck(j.member.ctx, 'infrastructure.apply');
  } catch (error) {
    await run.ports.infrastructure.discardPlan?.(plan);
    throw error;
  }
  const createdOf = (j: Joined) =>
    plan.changes
      .filter(
        (c) =>
          c.actions.includes('create') && j.member.addresses.some((a) => isInside(c.address, a)),
      )
      .map((c) => c.address);
  for (const j of todo)
    await journalApplyStarting(
      j.member.ctx,
      plan.id,
      backup.serial,
      todo.length > 1 ? { batch: nodes } : {},
    );
  // The lead's call re-proves its own node and journals its destructive call; the others' are
  // journaled right after, before the apply goes out (never before a check that may still stop it).
  const journalOthers = async () => {
    for (const { member } of todo.slice(1))
      if (member.ctx.node)
        await appendEntry(run, {
          type: 'note',
          node: member.ctx.node.name,
          stepId: member.ctx.step.id,
          action: member.ctx.step.action,
          message: `infrastructure.apply on ${member.ctx.node.name}`,
          data: { destructiveCall: 'infrastructure.apply' },
        });
  };
  const finished = async (j: Joined) => {
    const created = createdOf(j);
    await appendEntry(run, {
      type: 'note',
      stepId: j.member.ctx.step.id,
      ...(j.member.ctx.node ? { node: j.member.ctx.node.name } : {}),
      action: j.member.ctx.step.action,
      message: `terraform apply recreated ${created.join(', ')}`,
      data: { applyFinished: true, created },
    });
    done(j, created);
  };
  try {
    await lead.call(
      'infrastructure.apply',
      {
        plan: plan.id,
        changes: plan.changes.map((c) => c.address),
        ...(todo.length > 1 ? { batch: nodes } : {}),
      },
      // Never the run's abort signal: an apply killed half-way leaves VMs destroyed and not
      // created. It finishes within its own timeout, is journaled, then the run stops.
      async () => {
        await journalOthers();
        noteStateChange(run);
        await run.ports.infrastructure.apply(plan);
      },
      once,
    );
  } catch (error) {
    // The VMs the apply reports complete are recreated: journaled now, never replaced again.
    const completed = completedOf(error);
    for (const j of todo) {
      const created = createdOf(j);
      if (created.length > 0 && created.every((a) => completed.includes(a))) await finished(j);
    }
    throw error;
  }
  for (const j of todo) await finished(j);
}
