/**
 * The per-node hooks around a node's cycle: `before-drain` right before its drain step (the
 * node is cordoned, nothing evicted yet), `after-uncordon` right after its uncordon. A failing
 * hook fails the node's step (HOOK_FAILED, its output in the report); the cleanup then puts the
 * node back as for any stop. On a stop, a node whose before-drain hook ran still gets its
 * after-uncordon hook once the cleanup is done (settleNodeHooks), so what the pair does outside
 * is undone.
 */
import { allSteps } from '../core/plan.js';
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

/** How a node was left, from the journal: its cycle done, or the cleanup's notes of a stop. */
function stoppedOutcome(run: RunState, node: string): string {
  // Its uncordon finished (a crash came between it and its hook): its cycle is done.
  const uncordon = allSteps(run.plan).find((s) => s.node === node && s.action === 'uncordon');
  if (uncordon && isStepDone(run.entries, uncordon.id)) return 'succeeded';
  const last = [...run.entries]
    .reverse()
    .find(
      (e) =>
        e.type === 'note' &&
        e.node === node &&
        (e.data?.restored === true || e.data?.leftCordoned !== undefined),
    );
  if (last?.data?.restored === true) return 'restored';
  return last?.data?.leftCordoned === true ? 'left-cordoned' : 'stopped';
}

/**
 * At the end of a run, after a stop's cleanup: the after-uncordon hook every node whose
 * before-drain hook ran is still owed, with DROVER_OUTCOME `restored` (put back in service),
 * `left-cordoned` (resume finishes it), `stopped`, or `succeeded` (its uncordon finished before
 * a crash cut its hook off). Failures are journaled (so in the report's notes), not thrown: the
 * run is stopping already.
 */
export async function settleNodeHooks(run: RunState): Promise<void> {
  for (const { name } of run.inventory.nodes) {
    if (!hookRan(run.entries, 'before-drain', name) || hookRan(run.entries, 'after-uncordon', name))
      continue;
    await runHookPoint(run, 'after-uncordon', { node: name, outcome: stoppedOutcome(run, name) });
  }
}
