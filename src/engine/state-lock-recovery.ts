/**
 * A run that dies inside `terraform apply` leaves its own state lock behind; every later
 * Terraform command then fails with TF_STATE_LOCKED. On resume Drover releases that lock, and
 * only that one, when it can prove it is its own dead run's:
 * - the journal of this run holds an `apply-starting` note for this step with no
 *   `applyFinished` after it (the apply never finished in the process that started it);
 * - this is another attempt (the step has an earlier start: the process that ran it is gone,
 *   and the lease Drover holds now means no other Drover run acts);
 * - the lock is an apply lock whose Who is this runner's Terraform identity (user@host) and
 *   that was created no earlier than the journaled apply started;
 * - no terraform process of this runner still works in the configured directory (the holder
 *   process is gone; a child that outlived its parent keeps its lock).
 * It is released with `terraform force-unlock -force <ID>` through the exec chokepoint and the
 * release is recorded in the journal and the audit log. Any other holder is refused.
 */
import { isDroverError } from '../core/errors.js';
import type { StepContext } from './context.js';
import { appendEntry } from './run-step.js';

interface LockDetails {
  id?: string;
  who?: string;
  operation?: string;
  created?: string;
}

/** Journals the apply about to start, with the lock identity it will take. */
export async function journalApplyStarting(
  ctx: StepContext,
  plan: string,
  serial: number,
): Promise<void> {
  const who = ctx.run.ports.infrastructure.lockOwner?.();
  await appendEntry(ctx.run, {
    type: 'note',
    stepId: ctx.step.id,
    ...(ctx.node ? { node: ctx.node.name } : {}),
    action: ctx.step.action,
    message: `terraform apply of ${plan} starting`,
    data: { applyStarting: true, serial, ...(who ? { lockWho: who } : {}) },
  });
}

function lockOf(error: unknown): LockDetails | undefined {
  if (!isDroverError(error) || error.code !== 'TF_STATE_LOCKED') return undefined;
  const lock = error.details?.lock;
  return lock !== null && typeof lock === 'object' ? (lock as LockDetails) : undefined;
}

/** Releases the lock when it is provably this run's own dead apply's; returns whether it did. */
export async function releaseOwnStaleLock(ctx: StepContext, error: unknown): Promise<boolean> {
  const lock = lockOf(error);
  const infra = ctx.run.ports.infrastructure;
  if (!lock?.id || !infra.forceUnlock || ctx.priorStarts.length === 0) return false;
  const notes = ctx.run.entries.filter((e) => e.type === 'note' && e.stepId === ctx.step.id);
  const lastStart = notes.filter((e) => e.data?.applyStarting === true).at(-1);
  if (!lastStart) return false;
  if (notes.some((e) => e.data?.applyFinished === true && e.at >= lastStart.at)) return false;
  const who = lastStart.data?.lockWho;
  if (typeof who !== 'string' || lock.who !== who) return false;
  if (lock.operation !== undefined && lock.operation !== 'OperationTypeApply') return false;
  const created = lock.created ? Date.parse(lock.created.replace(/ \+0000 UTC$/, 'Z')) : NaN;
  // Clocks: the lock's Created is the runner's own clock, as is the journal's time.
  if (Number.isFinite(created) && created + 1000 < lastStart.at) return false;
  // A terraform child that outlived its killed parent still holds the lock legitimately.
  if (await infra.localTerraformRunning?.(ctx.run.signal).catch(() => true)) return false;
  const lockId = lock.id;
  await ctx.call('infrastructure.forceUnlock', { lockId, who }, () =>
    infra.forceUnlock!(lockId, ctx.run.signal),
  );
  const message = `released the Terraform state lock ${lockId} (${who}) left by this run's apply that died in an earlier process`;
  ctx.run.log('warn', message, ctx.node?.name);
  await appendEntry(ctx.run, {
    type: 'note',
    stepId: ctx.step.id,
    ...(ctx.node ? { node: ctx.node.name } : {}),
    message,
    data: { forceUnlocked: lockId },
  });
  return true;
}
