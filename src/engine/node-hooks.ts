/**
 * The per-node hooks around a node's cycle: `before-drain` right before its drain step (the
 * node is cordoned, nothing evicted yet), `after-uncordon` right after its uncordon. A failing
 * hook fails the node's step (HOOK_FAILED, its output in the report); the cleanup then puts the
 * node back as for any stop. On a stop, a node whose before-drain hook ran still gets its
 * after-uncordon hook (outcome `stopped`), so what the pair does outside is undone.
 */
import type { PlanStep } from '../core/plan.js';
import type { RunState } from './context.js';
import { isStepDone } from './journal-view.js';
import { hookRan, runHookPoint } from './run-hooks.js';
import { StepFailure } from './run-step.js';

export async function beforeNodeStep(run: RunState, step: PlanStep, node: string): Promise<void> {
  if (step.action !== 'drain' || isStepDone(run.entries, step.id)) return;
  const failure = await runHookPoint(run, 'before-drain', { node });
  if (failure) throw new StepFailure(step, failure);
}

export async function afterNodeStep(run: RunState, step: PlanStep, node: string): Promise<void> {
  if (step.action !== 'uncordon' || hookRan(run.entries, 'after-uncordon', node, true)) return;
  const failure = await runHookPoint(run, 'after-uncordon', { node, outcome: 'succeeded' });
  if (failure) throw new StepFailure(step, failure);
}

/** On the way out of a unit: the after-uncordon hook its before-drain hook is still owed. */
export async function settleNodeHooks(run: RunState, node: string): Promise<void> {
  if (!hookRan(run.entries, 'before-drain', node) || hookRan(run.entries, 'after-uncordon', node))
    return;
  // Its failure is journaled (and so in the report's notes); the run is stopping already.
  await runHookPoint(run, 'after-uncordon', { node, outcome: 'stopped' });
}
