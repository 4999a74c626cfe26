/**
 * The per-node hooks around a node's cycle: `before-drain` right before its drain step (the
 * node is cordoned, nothing evicted yet), `after-uncordon` right after its uncordon. A failing
 * hook fails the node's step (HOOK_FAILED, its output in the report); the cleanup then puts the
 * node back as for any stop. On a stop, a node whose before-drain hook ran still gets its
 * after-uncordon hook once the cleanup is done (settleNodeHooks), so what the pair does outside
 * is undone.
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

/** How a stopped node was left, from the cleanup's notes: back in service, or cordoned. */
function stoppedOutcome(run: RunState, node: string): string {
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
 * After a stop's cleanup: the after-uncordon hook every node whose before-drain hook ran is
 * still owed, with DROVER_OUTCOME `restored` (put back in service), `left-cordoned` (resume
 * finishes it) or `stopped`. Failures are journaled (so in the report's notes), not thrown: the
 * run is stopping already.
 */
export async function settleNodeHooks(run: RunState): Promise<void> {
  for (const { name } of run.inventory.nodes) {
    if (!hookRan(run.entries, 'before-drain', name) || hookRan(run.entries, 'after-uncordon', name))
      continue;
    await runHookPoint(run, 'after-uncordon', { node: name, outcome: stoppedOutcome(run, name) });
  }
}
