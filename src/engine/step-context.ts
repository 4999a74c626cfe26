/**
 * The context a step handler acts through: its step, node and journal evidence, and `call`, the
 * one way it reaches a port: audited, retried on transient errors per policy.retry, and for the
 * operations that take a node out of service or change it for good, re-checked right before it
 * goes out and journaled first.
 */
import type { InventoryNode } from '../core/inventory.js';
import type { StepAction, StepOf } from '../core/plan.js';
import type { JournalEntry } from '../ports/journal.js';
import type { RunState, StepContext } from './context.js';
import { appendEntry } from './journal-append.js';
import { preActCheck } from './pre-act-check.js';
import { withRetry } from './retry.js';

/** Port operations that change a node irreversibly: journaled before they go out. */
const DESTRUCTIVE_OPERATIONS: ReadonlySet<string> = new Set([
  'talos.etcdLeave',
  'talos.etcdRemoveMember',
  'infrastructure.apply',
  'talos.upgrade',
]);

/** Operations that re-prove their safety right before they go out (invariant recheck-before-act). */
const PRE_ACT_OPERATIONS: ReadonlySet<string> = new Set([
  ...DESTRUCTIVE_OPERATIONS,
  // Not irreversible, but it is what takes the node out of service: the budget is spent here.
  'kubernetes.cordon',
]);

export function makeContext<A extends StepAction>(
  run: RunState,
  step: StepOf<A>,
  node: InventoryNode | undefined,
  priorStarts: JournalEntry[],
): StepContext<A> {
  const ctx: StepContext<A> = {
    run,
    step,
    node,
    priorStarts,
    observed: undefined,
    call(operation, inputs, fn, options) {
      const attemptOnce = (attempt: number) => callOnce(ctx, operation, inputs, fn, attempt);
      if (options?.retry === false) return attemptOnce(1);
      return withRetry(attemptOnce, {
        clock: run.ports.clock,
        retry: run.policy.retry,
        ...(run.signal ? { signal: run.signal } : {}),
        onRetry: (error, attempt, delayMs) =>
          run.log(
            'warn',
            `${operation} failed (attempt ${attempt}), retrying in ${delayMs / 1000}s: ${error instanceof Error ? error.message : String(error)}`,
            node?.name,
          ),
      });
    },
  };
  return ctx;
}

/** One attempt of a port operation: pre-act checked and journaled first where it must be, audited. */
async function callOnce<T>(
  ctx: StepContext,
  operation: string,
  inputs: Record<string, unknown>,
  fn: (attempt: number) => Promise<T>,
  attempt: number,
): Promise<T> {
  const { run, step, node } = ctx;
  // The destructive call itself: proven right before it goes out (invariant recheck-before-act), also
  // when a handler spent minutes planning since the step began.
  if (PRE_ACT_OPERATIONS.has(operation)) await preActCheck(ctx, operation);
  // Durable before it acts: a stop after this leaves the node for resume to finish;
  // a stop before it (a refused plan, a pre-act wait) puts the node back as it was.
  if (DESTRUCTIVE_OPERATIONS.has(operation) && node !== undefined)
    await appendEntry(run, {
      type: 'note',
      node: node.name,
      stepId: step.id,
      action: step.action,
      message: `${operation} on ${node.name}`,
      data: { destructiveCall: operation },
    });
  const record = {
    operation,
    inputs: run.redactor.redactValue(inputs),
    stepId: step.id,
    attempt,
    ...(node ? { node: node.name } : {}),
  };
  try {
    const value = await fn(attempt);
    run.audit({ ...record, result: 'ok' });
    return value;
  } catch (error) {
    run.audit({
      ...record,
      result: 'error',
      error: run.redactor.redact(error instanceof Error ? error.message : String(error)),
    });
    throw error;
  }
}
