/**
 * A phase whose units go strictly one at a time (the control plane), with each unit's lead-in
 * run ahead while the unit before boots (core/lead-in.ts).
 */
import { findNode } from '../core/inventory.js';
import { leadInOf, releasesStateAfter } from '../core/lead-in.js';
import type { NodeUnit } from '../core/plan.js';
import type { RunState } from './context.js';
import { hasAnyEntry, isStepDone } from './journal-view.js';
import { runStep } from './run-step.js';
import type { StepRunOptions } from './run-step.js';
import { alreadyAtTarget, runUnit } from './run-unit.js';

/**
 * Units strictly one after the other, except each unit's lead-in (core/lead-in.ts: its state
 * backup), which starts once the unit before has released the Terraform state
 * (its VM replaced) and runs while that unit's machine boots. A failed lead-in stops the run
 * like any failure: the unit in flight finishes its cycle (it is past its destructive step),
 * nothing further starts, and the failure is rethrown. The phase never returns while a lead-in
 * still runs.
 */
export async function runOneAtATime(
  run: RunState,
  units: NodeUnit[],
  options: StepRunOptions,
): Promise<void> {
  for (let i = 0; i < units.length && !run.stopRequested; i++) {
    const unit = units[i] as NodeUnit;
    const next = units[i + 1];
    // Under maintenance windows the units keep strictly to their turn: nothing of a node runs
    // before the window admits its cycle.
    const pipelined = run.window === undefined && next !== undefined && leadInOf(next).length > 0;
    const trigger = pipelined ? releasesStateAfter(unit) : undefined;
    let leadIn: Promise<void> | undefined;
    let leadInError: unknown;
    const startLeadIn = () => {
      leadIn ??= runLeadIn(run, next as NodeUnit, options).catch((error: unknown) => {
        leadInError = error;
        run.stopRequested = true;
      });
    };
    const unitOptions: StepRunOptions =
      trigger === undefined
        ? options
        : {
            ...options,
            afterStep: async (entry) => {
              await options.afterStep?.(entry);
              if (entry.stepId === trigger.id && entry.outcome === 'succeeded') startLeadIn();
            },
          };
    // Resumed past the trigger already: the state is free now.
    if (trigger !== undefined && isStepDone(run.entries, trigger.id)) startLeadIn();
    try {
      await runUnit(run, unit, unitOptions);
    } finally {
      await leadIn;
    }
    if (leadInError !== undefined) throw leadInError;
  }
}

/**
 * The unit's lead-in steps still to run, in order; nothing once the run is stopping, nor for a
 * node already at the target that its unit will skip.
 */
async function runLeadIn(run: RunState, unit: NodeUnit, options: StepRunOptions): Promise<void> {
  const node = findNode(run.inventory, unit.node);
  const steps = leadInOf(unit);
  if (
    !hasAnyEntry(
      run.entries,
      steps.map((s) => s.id),
    ) &&
    (await alreadyAtTarget(run, unit))
  )
    return;
  for (const step of steps) {
    if (run.stopRequested || run.signal?.aborted) return;
    await runStep(run, step, node, options);
  }
}
