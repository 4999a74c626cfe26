/**
 * A phase: its cluster steps in order (template rebuilds in batches of the policy's
 * concurrency), then its units: strictly one at a time (run-one-at-a-time.ts), or as many as
 * the disruption policy allows (run-scheduled.ts).
 */
import type { PlanPhase, PlanStep } from '../core/plan.js';
import type { RunState } from './context.js';
import { isStepDone } from './journal-view.js';
import { runStep } from './run-step.js';
import type { StepRunOptions } from './run-step.js';
import { runOneAtATime } from './run-one-at-a-time.js';
import { runScheduled } from './run-scheduled.js';
import { closeTemplateBatch, openTemplateBatch } from './steps/template-batch.js';

/**
 * Consecutive template rebuilds in batches of templateRebuildConcurrency: each batch is one
 * state operation (see steps/template-batch), its steps journaled one by one. Steps the journal
 * already has done are left out before batching; batches run one after another.
 */
async function rebuildTemplates(
  run: RunState,
  steps: PlanStep[],
  options: StepRunOptions,
): Promise<void> {
  const pending = steps.filter((s) => !isStepDone(run.entries, s.id));
  const size = Math.max(1, run.policy.disruption.templateRebuildConcurrency);
  for (let i = 0; i < pending.length && !run.stopRequested; i += size) {
    const members = pending.slice(i, i + size);
    run.window?.beforeStart(
      `template rebuilds ${members.map((s) => s.id).join(', ')}`,
      members,
      'parallel',
    );
    const batch = openTemplateBatch(run, members);
    try {
      const results = await Promise.allSettled(
        // A step that fails before its handler decides must not hold the others up.
        members.map((s) => runStep(run, s, undefined, options).finally(() => batch.leave(s.id))),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      closeTemplateBatch(run, batch);
    }
  }
}

async function runClusterSteps(
  run: RunState,
  steps: PlanStep[],
  options: StepRunOptions,
): Promise<void> {
  for (let i = 0; i < steps.length;) {
    const step = steps[i] as PlanStep;
    if (step.action === 'rebuild-template') {
      const group: PlanStep[] = [];
      while (i < steps.length && steps[i]?.action === 'rebuild-template')
        group.push(steps[i++] as PlanStep);
      await rebuildTemplates(run, group, options);
    } else {
      if (!isStepDone(run.entries, step.id)) run.window?.beforeStart(step.id, [step]);
      await runStep(run, step, undefined, options);
      i++;
    }
  }
}

export async function runPhase(
  run: RunState,
  phase: PlanPhase,
  options: StepRunOptions,
): Promise<void> {
  const { reporter, clock } = run.ports;
  reporter.event({ type: 'phase-started', at: clock.now(), phase: phase.id, title: phase.title });
  await runClusterSteps(run, phase.steps, options);
  if (phase.concurrency === 'one-at-a-time') {
    await runOneAtATime(run, phase.units, options);
  } else {
    await runScheduled(run, phase.units, options);
  }
  reporter.event({ type: 'phase-finished', at: clock.now(), phase: phase.id });
}
