/**
 * The scope check of a batched replacement (vm-batch.ts), per node (invariant scoped-terraform): a change
 * inside one node's module that is not its VM refuses that node; a change outside every node
 * of the batch is traced by planning each node alone, and refused against the node whose own
 * plan drags it in. Either way nothing of the batch is applied; its other nodes stop with it
 * (BATCH_MATE_REFUSED) and the report names the cause, not them.
 */
import { isDroverError } from '../../core/errors.js';
import type { InfrastructurePlan } from '../../ports/infrastructure.js';
import type { RunState, StepContext } from '../context.js';
import { isInside } from '../../core/terraform-address.js';
import { assertPlanScope, outOfScopeChanges } from '../scope-check.js';
import { journalPlanStarting } from '../state-lock-recovery.js';

/** What the scope check needs of a batch member. */
export interface Joined {
  member: { ctx: StepContext; addresses: string[] };
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** A batch plan refused for some of its nodes: the refusal of each, by member. */
export class BatchRefusal extends Error {
  constructor(readonly refused: Map<Joined, unknown>) {
    super([...refused.values()].map(messageOf).join('; '));
    this.name = 'BatchRefusal';
  }
}

/** Throws a BatchRefusal naming the nodes whose own plan is out of scope, if any is. */
export async function attributeRefusal(run: RunState, todo: Joined[]): Promise<void> {
  const refused = new Map<Joined, unknown>();
  for (const j of todo) {
    const { ctx, addresses } = j.member;
    await journalPlanStarting(ctx);
    const solo = await ctx.call(
      'infrastructure.plan',
      { replace: addresses, check: true },
      () =>
        run.ports.infrastructure.plan({
          replace: addresses,
          ...(run.signal ? { signal: run.signal } : {}),
        }),
      { retry: false },
    );
    try {
      assertPlanScope(solo, addresses, `the VM of ${ctx.node?.name ?? ctx.step.id}`);
    } catch (error) {
      refused.set(j, error);
    } finally {
      await run.ports.infrastructure.discardPlan?.(solo);
    }
  }
  if (refused.size > 0) throw new BatchRefusal(refused);
}

/** Whether a unit's failure is only that its batch mate's plan was refused (not its own cause). */
export function isBatchMateStop(error: unknown): boolean {
  const cause =
    error instanceof Error && 'error' in error ? (error as { error: unknown }).error : error;
  return isDroverError(cause) && cause.details?.batchMate === true;
}

/** The scope check per node: a plan change outside every node, or missing creates, names whom. */
export function assertBatchScope(plan: InfrastructurePlan, todo: Joined[]): void {
  const addresses = todo.flatMap((j) => j.member.addresses);
  const what = (j: Joined) => `the VM of ${j.member.ctx.node?.name ?? j.member.ctx.step.id}`;
  if (todo.length === 1) {
    assertPlanScope(plan, addresses, what(todo[0] as Joined));
    return;
  }
  // A change outside every node of the batch is no one node's: the whole batch is refused.
  const nobodys = {
    ...plan,
    changes: plan.changes.filter((c) => !addresses.some((a) => isInside(c.address, a))),
  };
  if (outOfScopeChanges(nobodys, addresses).length > 0)
    assertPlanScope(
      plan,
      addresses,
      `the VMs of ${todo.map((j) => j.member.ctx.node?.name).join(', ')}`,
    );
  const refused = new Map<Joined, unknown>();
  for (const j of todo) {
    const mine = {
      ...plan,
      changes: plan.changes.filter((c) => j.member.addresses.some((a) => isInside(c.address, a))),
    };
    try {
      assertPlanScope(mine, j.member.addresses, what(j));
    } catch (error) {
      refused.set(j, error);
    }
  }
  if (refused.size > 0) throw new BatchRefusal(refused);
}
