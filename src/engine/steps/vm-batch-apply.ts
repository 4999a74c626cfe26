/**
 * One Terraform operation of a VM batch (vm-batch.ts), for the members an attempt left
 * (vm-batch-replace.ts): one verified backup, one plan with a `-target`/`-replace` pair per
 * node, the scope check per node (vm-batch-scope.ts), the pre-act re-check per node, and one
 * apply. Outcomes are per node: the VMs a failed apply reports created succeed, the others fail
 * with its error or are retried if it is transient.
 */
import { isDroverError } from '../../core/errors.js';
import type { InfrastructurePlan } from '../../ports/infrastructure.js';
import type { JournalEntry } from '../../ports/journal.js';
import type { RunState, StepContext } from '../context.js';
import { preActCheck } from '../pre-act-check.js';
import { appendEntry } from '../journal-append.js';
import { isInside } from '../../core/terraform-address.js';
import { ensureFreshBackup, noteStateChange } from '../state-backup.js';
import {
  journalApplyStarting,
  journalPlanStarting,
  releaseOwnStaleLock,
} from '../state-lock-recovery.js';
import type { Joined } from './vm-batch.js';
import { assertBatchScope, attributeRefusal, BatchRefusal } from './vm-batch-scope.js';

/** Addresses the apply reported complete (apply_complete), when its error says. */
function completedOf(error: unknown): string[] {
  const completed = isDroverError(error) ? error.details?.completed : undefined;
  return Array.isArray(completed)
    ? completed.filter((a): a is string => typeof a === 'string')
    : [];
}

/** The batch's first member: the backup, the plan and the audit go under it. */
const leadOf = (todo: Joined[]): StepContext => (todo[0] as Joined).member.ctx;

/** What the plan creates inside this member's addresses (its VM, recreated). */
const createdBy = (plan: InfrastructurePlan, j: Joined): string[] =>
  plan.changes
    .filter(
      (c) => c.actions.includes('create') && j.member.addresses.some((a) => isInside(c.address, a)),
    )
    .map((c) => c.address);

/** One plan and one apply for `todo`; `done` is called for each member whose VM was recreated. */
export async function applyOnce(
  run: RunState,
  todo: Joined[],
  done: (j: Joined, created: string[]) => void,
): Promise<void> {
  const lead = leadOf(todo);
  const nodes = todo.map((j) => j.member.ctx.node?.name ?? j.member.ctx.step.id);
  const backup = await ensureFreshBackup(lead, nodes.join('--'));
  const plan = await planBatch(run, todo, nodes);
  await checkBeforeApply(run, plan, todo);
  for (const j of todo)
    await journalApplyStarting(
      j.member.ctx,
      plan.id,
      backup.serial,
      todo.length > 1 ? { batch: nodes } : {},
    );
  const finished = async (j: Joined) => {
    const created = createdBy(plan, j);
    await journalApplyFinished(run, j, created);
    done(j, created);
  };
  try {
    await applyPlan(run, plan, todo, nodes);
  } catch (error) {
    // The VMs the apply reports complete are recreated: journaled now, never replaced again.
    const completed = completedOf(error);
    for (const j of todo) {
      const created = createdBy(plan, j);
      if (created.length > 0 && created.every((a) => completed.includes(a))) await finished(j);
    }
    throw error;
  }
  for (const j of todo) await finished(j);
}

/** The batch's one plan, every member's `-replace` in it. */
function planBatch(run: RunState, todo: Joined[], nodes: string[]): Promise<InfrastructurePlan> {
  const lead = leadOf(todo);
  const addresses = todo.flatMap((j) => j.member.addresses);
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
      { retry: false },
    );
  };
  // An apply that died with its process left this run's own lock: release it, plan again.
  return planOnce().catch(async (error: unknown) => {
    if (!(await releaseOwnStaleLock(lead, error))) throw error;
    return planOnce();
  });
}

/** The scope check per node, then the pre-act re-check per node; a refusal discards the plan. */
async function checkBeforeApply(
  run: RunState,
  plan: InfrastructurePlan,
  todo: Joined[],
): Promise<void> {
  try {
    assertBatchScope(plan, todo);
  } catch (error) {
    await run.ports.infrastructure.discardPlan?.(plan);
    // A change outside every node: plan each node alone to find whose plan drags it in, so the
    // refusal names that node (nothing is applied either way).
    if (todo.length > 1 && !(error instanceof BatchRefusal)) await attributeRefusal(run, todo);
    throw error;
  }
  // Right before the act, per node: lease, budget, etcd, Ceph (invariant recheck-before-act).
  // The lead's check runs inside its own call (applyPlan).
  try {
    for (const j of todo.slice(1)) await preActCheck(j.member.ctx, 'infrastructure.apply');
  } catch (error) {
    await run.ports.infrastructure.discardPlan?.(plan);
    throw error;
  }
}

/**
 * The apply, under the lead's call, which re-proves its own node and journals its destructive
 * call; the others' are journaled right after, before the apply goes out (never before a check
 * that may still stop it).
 */
function applyPlan(
  run: RunState,
  plan: InfrastructurePlan,
  todo: Joined[],
  nodes: string[],
): Promise<void> {
  return leadOf(todo).call(
    'infrastructure.apply',
    {
      plan: plan.id,
      changes: plan.changes.map((c) => c.address),
      ...(todo.length > 1 ? { batch: nodes } : {}),
    },
    // Never the run's abort signal: an apply killed half-way leaves VMs destroyed and not
    // created. It finishes within its own timeout, is journaled, then the run stops.
    async () => {
      await journalOthersApplying(run, todo);
      noteStateChange(run);
      await run.ports.infrastructure.apply(plan);
    },
    { retry: false },
  );
}

async function journalOthersApplying(run: RunState, todo: Joined[]): Promise<void> {
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
}

function journalApplyFinished(run: RunState, j: Joined, created: string[]): Promise<JournalEntry> {
  return appendEntry(run, {
    type: 'note',
    stepId: j.member.ctx.step.id,
    ...(j.member.ctx.node ? { node: j.member.ctx.node.name } : {}),
    action: j.member.ctx.step.action,
    message: `terraform apply recreated ${created.join(', ')}`,
    data: { applyFinished: true, created },
  });
}
