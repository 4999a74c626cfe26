/**
 * Batches that run-phase (template rebuilds) and run-scheduled (VM replacements) open over
 * several steps, kept per run and looked up by step id; a step run on its own finds none and
 * makes a batch of one.
 */
import type { RunState } from '../context.js';

export class StepBatches<B> {
  private readonly byRun = new WeakMap<RunState, Map<string, B>>();

  open(run: RunState, stepIds: readonly string[], batch: B): B {
    const byStep = this.byRun.get(run) ?? new Map<string, B>();
    this.byRun.set(run, byStep);
    for (const id of stepIds) byStep.set(id, batch);
    return batch;
  }

  of(run: RunState, stepId: string): B | undefined {
    return this.byRun.get(run)?.get(stepId);
  }

  /** Forgets the step's batch; only `batch`'s when given (a newer batch keeps the step). */
  forget(run: RunState, stepId: string, batch?: B): void {
    const byStep = this.byRun.get(run);
    if (batch === undefined || byStep?.get(stepId) === batch) byStep?.delete(stepId);
  }
}
