/**
 * After a failure or an abort (invariant 5): undo what is safe to undo, leave the rest and say
 * exactly why. A node whose VM, etcd membership and OS were never touched is put back in
 * service (noout unset, uncordoned). A node past that point stays cordoned (and its noout set,
 * so Ceph does not rebalance for a node that is coming back): resume finishes it.
 */
import type { NodeUnit } from '../core/plan.js';
import type { RunState } from './context.js';
import { isStepDone, startsOf } from './journal-view.js';
import { appendEntry } from './run-step.js';
import { isDestructive } from './steps/index.js';

const started = (run: RunState, stepId: string) => startsOf(run.entries, stepId).length > 0;

export async function cleanUpAfterStop(run: RunState): Promise<string[]> {
  const notes: string[] = [];
  const units: NodeUnit[] = run.plan.phases.flatMap((p) => p.units);
  for (const unit of units) {
    const began = unit.steps.some((s) => started(run, s.id));
    const done = unit.steps.every((s) => isStepDone(run.entries, s.id));
    if (!began || done) continue;
    const destructive = unit.steps.find((s) => isDestructive(s.action) && started(run, s.id));
    const cordon = unit.steps.find((s) => s.action === 'cordon');
    const nooutSet = unit.steps.find((s) => s.action === 'storage-noout-set');
    if (destructive) {
      const where = [...run.entries].reverse().find((e) => e.node === unit.node && e.type.startsWith('step-'));
      const note = `${unit.node} left cordoned: ${destructive.action} already ran (last step ${where?.stepId ?? '?'}); run again with --resume to finish it`;
      notes.push(note);
      await appendEntry(run, { type: 'note', node: unit.node, message: note, data: { leftCordoned: true } }).catch(() => undefined);
      run.log('warn', note, unit.node);
      continue;
    }
    // Nothing irreversible happened to this node: put it back as it was.
    try {
      if (nooutSet && started(run, nooutSet.id)) {
        const domain = typeof nooutSet.params.domain === 'string' ? nooutSet.params.domain : undefined;
        if (domain !== undefined) {
          run.audit({ operation: 'storage.setNoout', inputs: { domain, on: false, reason: 'undo' }, node: unit.node });
          await run.ports.storage.setNoout(domain, false);
        }
      }
      if (cordon && started(run, cordon.id)) {
        run.audit({ operation: 'kubernetes.uncordon', inputs: { node: unit.node, reason: 'undo' }, node: unit.node });
        await run.ports.kubernetes.uncordon(unit.node);
      }
      const note = `${unit.node} put back in service: its VM was never touched`;
      notes.push(note);
      await appendEntry(run, { type: 'note', node: unit.node, message: note, data: { restored: true } }).catch(() => undefined);
    } catch (error) {
      const note = `${unit.node} could not be put back (${error instanceof Error ? error.message : String(error)}); it may still be cordoned`;
      notes.push(note);
      await appendEntry(run, { type: 'note', node: unit.node, message: note, data: { leftCordoned: true } }).catch(() => undefined);
      run.log('error', note, unit.node);
    }
  }
  return notes;
}
