/**
 * One node's cycle, step after step. A node already at the target with nothing journaled for
 * it is skipped whole and reported so. When the run is stopping (another unit failed), a unit
 * that has not yet done anything irreversible stops at the next step boundary (cleanup puts it
 * back); one past that point finishes its cycle, because a node whose VM is gone is safest
 * brought back at the target.
 */
import { findNode } from '../core/inventory.js';
import type { NodeUnit } from '../core/plan.js';
import { reachedHop } from '../core/plan-hops.js';
import { leadInOf } from '../core/lead-in.js';
import type { RunState } from './context.js';
import { hasAnyEntry, isStepDone, startsOf } from './journal-view.js';
import { abortError } from './retry.js';
import { appendEntry } from './journal-append.js';
import { runStep, StepFailure } from './run-step.js';
import type { StepRunOptions } from './run-step.js';
import { isDestructive } from './steps/index.js';
import { afterNodeStep, beforeNodeStep } from './node-hooks.js';

/** Thrown when a unit stops at a boundary because the run is stopping; not a failure of its own. */
export class UnitStopped extends Error {
  constructor(readonly node: string) {
    super(`${node}: stopped because the run is stopping`);
    this.name = 'UnitStopped';
  }
}

function destructiveStarted(run: RunState, unit: NodeUnit): boolean {
  return unit.steps.some((s) => isDestructive(s.action) && startsOf(run.entries, s.id).length > 0);
}

/** The node's Talos version when it already runs the target, Ready and schedulable; else undefined. */
export async function alreadyAtTarget(run: RunState, unit: NodeUnit): Promise<string | undefined> {
  if (run.plan.kind === 'kubernetes') return undefined;
  const verify = unit.steps.find((s) => s.action === 'verify-version');
  const talos = verify?.params.talos ?? run.plan.to;
  const view = await run.kubernetes.nodeReads.getNode(unit.node).catch(() => undefined);
  if (
    view === undefined ||
    !reachedHop(view.talosVersion, talos, run.plan.to) ||
    view.ready !== 'True' ||
    view.unschedulable
  )
    return undefined;
  return view.talosVersion;
}

export async function runUnit(
  run: RunState,
  unit: NodeUnit,
  options: StepRunOptions,
): Promise<void> {
  const node = findNode(run.inventory, unit.node);
  // A lead-in that ran while the unit before booted (core/lead-in.ts) did not start the unit.
  const leadIn = new Set(leadInOf(unit));
  const ids = unit.steps.filter((s) => !leadIn.has(s)).map((s) => s.id);
  if (!hasAnyEntry(run.entries, ids)) {
    const talos = await alreadyAtTarget(run, unit);
    if (talos !== undefined) {
      run.log('info', `${unit.node} already runs Talos ${talos}: skipped`, unit.node);
      for (const step of unit.steps) {
        if (isStepDone(run.entries, step.id)) continue;
        const entry = await appendEntry(run, {
          type: 'step-finished',
          stepId: step.id,
          node: unit.node,
          action: step.action,
          outcome: 'skipped',
          message: `already at Talos ${talos}`,
        });
        run.ports.reporter.event({
          type: 'step-finished',
          at: entry.at,
          stepId: step.id,
          node: unit.node,
          action: step.action,
          outcome: 'skipped',
          durationSeconds: 0,
          message: entry.message ?? '',
        });
      }
      return;
    }
    run.window?.beforeStart(unit.node, unit.steps);
  }
  run.inFlightNodes.add(unit.node);
  try {
    for (const step of unit.steps) {
      if (run.signal?.aborted) throw new StepFailure(step, abortError(run.signal));
      if (run.stopRequested && !destructiveStarted(run, unit)) throw new UnitStopped(unit.node);
      await beforeNodeStep(run, step, unit.node);
      await runStep(run, step, node, options);
      await afterNodeStep(run, step, unit.node);
    }
  } finally {
    run.inFlightNodes.delete(unit.node);
  }
}
