/**
 * After a failure or an abort (invariant uncordon-when-done): undo what is safe to undo, leave the rest and say
 * exactly why and where.
 * - A node past an irreversible call (etcd leave, VM replacement, in-place upgrade: journaled
 *   right before it went out) stays cordoned: resume finishes it.
 * - A node Drover cordoned but never touched destructively is as it was: it is uncordoned, and
 *   its cycle starts over on resume (a `restored` note resets it in the journal view).
 * - Ceph noout is reference-counted per domain (invariant noout-while-away): unset once no OSD node of the
 *   domain is out of service any more, kept (and said so) while one still is.
 */
import type { NodeUnit } from '../core/plan.js';
import type { RunState } from './context.js';
import { destructiveCallMade, isStepDone, startsOf } from './journal-view.js';
import { othersAwayInDomain } from './noout-count.js';
import { appendEntry } from './journal-append.js';
import { isDestructive } from './steps/index.js';

const started = (run: RunState, stepId: string) => startsOf(run.entries, stepId).length > 0;

async function note(
  run: RunState,
  node: string | undefined,
  message: string,
  data: Record<string, unknown>,
  notes: string[],
) {
  notes.push(message);
  run.log('warn', message, node);
  await appendEntry(run, { type: 'note', ...(node ? { node } : {}), message, data }).catch(
    () => undefined,
  );
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function putBack(run: RunState, unit: NodeUnit, notes: string[]): Promise<void> {
  const last = [...run.entries]
    .reverse()
    .find((e) => e.node === unit.node && e.type.startsWith('step-'));
  const where = last?.stepId ?? '?';
  const destructive = destructiveCallMade(run.entries, unit.node)
    ? unit.steps.find((s) => isDestructive(s.action) && started(run, s.id))
    : undefined;
  const cordon = unit.steps.find((s) => s.action === 'cordon');
  // Ask the cluster: a cordon that failed may or may not have landed.
  const view = await run.kubernetes.nodes.getNode(unit.node).catch(() => undefined);
  const cordoned =
    cordon !== undefined && started(run, cordon.id) && (view === undefined || view.unschedulable);
  if (destructive) {
    await note(
      run,
      unit.node,
      `${unit.node} left cordoned: ${destructive.action} already ran (stopped at ${where}); run again with --resume to finish it`,
      { leftCordoned: cordoned, reason: 'destructive-step-ran' },
      notes,
    );
    return;
  }
  if (!cordoned) return;
  try {
    run.audit({
      operation: 'kubernetes.uncordon',
      inputs: { node: unit.node, reason: 'undo' },
      node: unit.node,
    });
    await run.kubernetes.nodes.uncordon(unit.node);
    await note(
      run,
      unit.node,
      `${unit.node} put back in service: nothing destructive touched it (stopped at ${where}); --resume starts its cycle over`,
      { restored: true },
      notes,
    );
  } catch (error) {
    await note(
      run,
      unit.node,
      `${unit.node} left cordoned: the uncordon failed (${messageOf(error)}); it is untouched, uncordon it by hand`,
      { leftCordoned: true, reason: 'uncordon-failed' },
      notes,
    );
  }
}

/** The last unset of `domain` this run finished: whether it kept noout (another node away). */
function lastUnsetKept(run: RunState, domain: string): boolean | undefined {
  let kept: boolean | undefined;
  for (const e of run.entries)
    if (
      e.type === 'step-finished' &&
      e.action === 'storage-noout-unset' &&
      e.data?.domain === domain &&
      (e.outcome === 'succeeded' || e.outcome === 'skipped')
    )
      kept = e.data?.kept === true;
  return kept;
}

/** Domains this run set noout on and has not unset, with the steps that set it. */
function nooutHeld(run: RunState, units: NodeUnit[]): Map<string, string[]> {
  const byDomain = new Map<string, string[]>();
  for (const unit of units) {
    for (const s of unit.steps) {
      if (s.action !== 'storage-noout-set' || !started(run, s.id)) continue;
      const domain = s.params.domain;
      const unset = unit.steps.find((u) => u.action === 'storage-noout-unset');
      // Unset and not kept since by a later unset of the domain (kept for a node still away).
      if (unset && isStepDone(run.entries, unset.id) && lastUnsetKept(run, domain) !== true)
        continue;
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), s.id]);
    }
  }
  return byDomain;
}

/** Unset noout on each domain once nothing of it is away (after the put-backs above). */
async function releaseNoout(
  run: RunState,
  byDomain: Map<string, string[]>,
  notes: string[],
): Promise<void> {
  for (const [domain, setSteps] of byDomain) {
    const away = await othersAwayInDomain(run, domain, undefined);
    if (away.length > 0) {
      await note(
        run,
        undefined,
        `Ceph noout kept on ${domain}: ${away.join(', ')} still out of service`,
        { nooutKept: domain, away },
        notes,
      );
      continue;
    }
    try {
      run.audit({ operation: 'storage.setNoout', inputs: { domain, on: false, reason: 'undo' } });
      await run.ports.storage.setNoout(domain, false);
      await note(
        run,
        undefined,
        `Ceph noout unset again on ${domain}: none of its OSD nodes is out of service`,
        { undoneSteps: setSteps },
        notes,
      );
    } catch (error) {
      await note(
        run,
        undefined,
        `Ceph noout on ${domain} could not be unset (${messageOf(error)}); unset it by hand once its nodes are back`,
        { nooutKept: domain },
        notes,
      );
    }
  }
}

export async function cleanUpAfterStop(run: RunState): Promise<string[]> {
  const notes: string[] = [];
  const units: NodeUnit[] = run.plan.phases.flatMap((p) => p.units);
  const unfinished = units.filter((unit) => {
    const began = unit.steps.some((s) => started(run, s.id) || isStepDone(run.entries, s.id));
    return began && !unit.steps.every((s) => isStepDone(run.entries, s.id));
  });
  // Read before the put-backs: a restored unit's earlier steps no longer count in the journal view.
  const held = nooutHeld(run, units);
  for (const unit of unfinished) await putBack(run, unit, notes);
  await releaseNoout(run, held, notes);
  return notes;
}
