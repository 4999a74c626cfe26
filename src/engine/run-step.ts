/**
 * Runs one step: skip it when the journal says it is done; otherwise observe, append
 * step-started (durable) BEFORE acting, act, append step-finished AFTER. A failure is
 * journaled with its code and wrapped with the step for the report.
 */
import { DroverError, isDroverError } from '../core/errors.js';
import type { InventoryNode } from '../core/inventory.js';
import type { PlanStep, StepAction } from '../core/plan.js';
import type { JournalEntry } from '../ports/journal.js';
import type { RunState, StepContext, StepHandler, StepResult } from './context.js';
import { isStepDone, startsOf } from './journal-view.js';
import { abortError } from './retry.js';
import { appendEntry } from './journal-append.js';
import { makeContext } from './step-context.js';
import { STEP_HANDLERS } from './steps/index.js';

/** A step failed: the error, and where. */
export class StepFailure extends Error {
  constructor(
    readonly step: PlanStep,
    readonly error: DroverError,
  ) {
    super(`${step.id}: ${error.message}`);
    this.name = 'StepFailure';
  }
}

/** The handler of `action`, typed for that action's step (STEP_HANDLERS is keyed so). */
function handlerFor<A extends StepAction>(action: A): StepHandler<A> {
  return STEP_HANDLERS[action];
}

export function asDroverError(error: unknown): DroverError {
  if (isDroverError(error)) return error;
  return new DroverError(
    'failed',
    'UNEXPECTED',
    error instanceof Error ? error.message : String(error),
    {
      cause: error,
      hint: 'An unexpected error; run with DROVER_DEBUG=1 for the stack and report it.',
    },
  );
}

export interface StepRunOptions {
  afterStep?: (entry: JournalEntry) => void | Promise<void>;
}

/** Observes, then journals step-started (durable before the step acts) and says so. */
async function startStep<A extends StepAction>(
  ctx: StepContext<A>,
  handler: StepHandler<A>,
  attempt: number,
): Promise<JournalEntry> {
  const { run, step, node } = ctx;
  let started: JournalEntry;
  try {
    ctx.observed = handler.observe ? await handler.observe(ctx) : undefined;
    started = await appendEntry(run, {
      type: 'step-started',
      stepId: step.id,
      action: step.action,
      attempt,
      ...(node ? { node: node.name } : {}),
      ...(ctx.observed ? { data: ctx.observed } : {}),
    });
  } catch (error) {
    throw new StepFailure(
      step,
      run.signal?.aborted ? abortError(run.signal) : asDroverError(error),
    );
  }
  run.ports.reporter.event({
    type: 'step-started',
    at: started.at,
    stepId: step.id,
    action: step.action,
    title: step.title,
    attempt,
    ...(node ? { node: node.name } : {}),
  });
  return started;
}

/**
 * Journals the failure (best effort: the step failed either way) and says so; the StepFailure
 * to throw carries where.
 */
async function failStep(
  ctx: StepContext,
  started: JournalEntry,
  error: unknown,
  options: StepRunOptions,
): Promise<StepFailure> {
  const { run, step, node } = ctx;
  const { clock } = run.ports;
  const failure = run.signal?.aborted ? abortError(run.signal) : asDroverError(error);
  const outcome = failure.category === 'aborted' ? 'aborted' : 'failed';
  const finished = await appendEntry(run, {
    type: 'step-finished',
    stepId: step.id,
    action: step.action,
    outcome,
    code: failure.code,
    message: failure.message,
    ...(node ? { node: node.name } : {}),
  }).catch(() => undefined);
  run.ports.reporter.event({
    type: 'step-finished',
    at: clock.now(),
    stepId: step.id,
    action: step.action,
    outcome,
    durationSeconds: (clock.now() - started.at) / 1000,
    message: run.redactor.redact(`[${failure.code}] ${failure.message}`),
    ...(node ? { node: node.name } : {}),
  });
  if (finished) await options.afterStep?.(finished);
  return new StepFailure(step, failure);
}

/** Journals step-finished with the handler's result, and says so. */
async function finishStep(
  ctx: StepContext,
  started: JournalEntry,
  result: StepResult,
  options: StepRunOptions,
): Promise<void> {
  const { run, step, node } = ctx;
  const finished = await appendEntry(run, {
    type: 'step-finished',
    stepId: step.id,
    action: step.action,
    outcome: result.outcome,
    ...(node ? { node: node.name } : {}),
    ...(result.message ? { message: result.message } : {}),
    ...(result.data ? { data: result.data } : {}),
  });
  run.ports.reporter.event({
    type: 'step-finished',
    at: finished.at,
    stepId: step.id,
    action: step.action,
    outcome: result.outcome,
    durationSeconds: (finished.at - started.at) / 1000,
    ...(result.message ? { message: run.redactor.redact(result.message) } : {}),
    ...(node ? { node: node.name } : {}),
  });
  await options.afterStep?.(finished);
}

export async function runStep(
  run: RunState,
  step: PlanStep,
  node: InventoryNode | undefined,
  options: StepRunOptions,
): Promise<StepResult | 'already-done'> {
  if (isStepDone(run.entries, step.id)) return 'already-done';
  if (run.signal?.aborted) throw new StepFailure(step, abortError(run.signal));
  const handler = handlerFor(step.action);
  const priorStarts = startsOf(run.entries, step.id);
  const ctx = makeContext(run, step, node, priorStarts);
  const started = await startStep(ctx, handler, priorStarts.length + 1);
  let result: StepResult;
  try {
    result = await handler.run(ctx);
  } catch (error) {
    throw await failStep(ctx, started, error, options);
  }
  await finishStep(ctx, started, result, options);
  return result;
}
