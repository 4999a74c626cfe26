/**
 * After a failure or an abort (invariant 5): undo what is safe to undo, leave the rest and say
 * exactly why and where.
 * - A node past an irreversible step (etcd leave, VM replacement, in-place upgrade) stays
 *   cordoned with Ceph noout kept (its OSDs are coming back; no rebalancing): resume finishes it.
 * - A node whose VM was never touched: noout is unset (its OSDs never left). It stays cordoned
 *   too, because invariant 5 allows an uncordon only at the target version; resume continues
 *   from where it stopped, or the operator uncordons it to abandon the upgrade. With
 *   `restoreUntouched` it is uncordoned instead and its cycle starts over on resume.
 */
import type { NodeUnit } from '../core/plan.js';
import type { RunState } from './context.js';
import { isStepDone, startsOf } from './journal-view.js';
import { appendEntry } from './run-step.js';
import { isDestructive } from './steps/index.js';

const started = (run: RunState, stepId: string) => startsOf(run.entries, stepId).length > 0;

async function note(
  run: RunState,
  node: string,
  message: string,
  data: Record<string, unknown>,
  notes: string[],
) {
  notes.push(message);
  run.log('warn', message, node);
  await appendEntry(run, { type: 'note', node, message, data }).catch(() => undefined);
}

export async function cleanUpAfterStop(
  run: RunState,
  options: { restoreUntouched: boolean },
): Promise<string[]> {
  const notes: string[] = [];
  const units: NodeUnit[] = run.plan.phases.flatMap((p) => p.units);
  for (const unit of units) {
    const began = unit.steps.some((s) => started(run, s.id) || isStepDone(run.entries, s.id));
    const done = unit.steps.every((s) => isStepDone(run.entries, s.id));
    if (!began || done) continue;
    const last = [...run.entries]
      .reverse()
      .find((e) => e.node === unit.node && e.type.startsWith('step-'));
    const where = last?.stepId ?? '?';
    const destructive = unit.steps.find((s) => isDestructive(s.action) && started(run, s.id));
    const cordon = unit.steps.find((s) => s.action === 'cordon');
    // Ask the cluster: a cordon that failed may or may not have landed.
    const view = await run.ports.kubernetes.getNode(unit.node).catch(() => undefined);
    const cordoned =
      cordon !== undefined && started(run, cordon.id) && (view === undefined || view.unschedulable);
    if (destructive) {
      await note(
        run,
        unit.node,
        `${unit.node} left cordoned: ${destructive.action} already ran (stopped at ${where}); run again with --resume to finish it`,
        { leftCordoned: cordoned },
        notes,
      );
      continue;
    }
    try {
      const nooutSet = unit.steps.find((s) => s.action === 'storage-noout-set');
      const undone: string[] = [];
      if (nooutSet && started(run, nooutSet.id)) {
        const domain =
          typeof nooutSet.params.domain === 'string' ? nooutSet.params.domain : undefined;
        if (domain !== undefined) {
          run.audit({
            operation: 'storage.setNoout',
            inputs: { domain, on: false, reason: 'undo' },
            node: unit.node,
            stepId: nooutSet.id,
          });
          await run.ports.storage.setNoout(domain, false);
          undone.push(nooutSet.id);
        }
      }
      if (options.restoreUntouched && cordoned) {
        run.audit({
          operation: 'kubernetes.uncordon',
          inputs: { node: unit.node, reason: 'undo' },
          node: unit.node,
        });
        await run.ports.kubernetes.uncordon(unit.node);
        await note(
          run,
          unit.node,
          `${unit.node} put back in service: its VM was never touched`,
          { restored: true },
          notes,
        );
      } else if (cordoned) {
        await note(
          run,
          unit.node,
          `${unit.node} left cordoned, its VM untouched (still Talos ${run.plan.from}; stopped at ${where}): --resume continues from there, or uncordon it to abandon the upgrade`,
          { leftCordoned: true, undoneSteps: undone },
          notes,
        );
      } else if (undone.length > 0) {
        await note(
          run,
          unit.node,
          `${unit.node}: Ceph noout unset again, nothing else was changed`,
          { undoneSteps: undone },
          notes,
        );
      }
    } catch (error) {
      await note(
        run,
        unit.node,
        `${unit.node} could not be put back (${error instanceof Error ? error.message : String(error)}); check its cordon and Ceph noout`,
        { leftCordoned: cordoned },
        notes,
      );
    }
  }
  return notes;
}
