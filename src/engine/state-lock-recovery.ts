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
import { appendEntry } from './journal-append.js';

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
  extra: Record<string, unknown> = {},
): Promise<void> {
  await journalStarting(ctx, 'apply', `terraform apply of ${plan} starting`, { serial, ...extra });
}

/** Journals a plan about to start (a plan killed with its process leaves its lock too). */
export async function journalPlanStarting(ctx: StepContext): Promise<void> {
  await journalStarting(ctx, 'plan', 'terraform plan starting', {});
}

async function journalStarting(
  ctx: StepContext,
  operation: 'plan' | 'apply',
  message: string,
  extra: Record<string, unknown>,
): Promise<void> {
  const who = ctx.run.ports.infrastructure.lockOwner?.();
  await appendEntry(ctx.run, {
    type: 'note',
    stepId: ctx.step.id,
    ...(ctx.node ? { node: ctx.node.name } : {}),
    action: ctx.step.action,
    message,
    data: {
      terraformStarting: operation,
      ...(operation === 'apply' ? { applyStarting: true } : {}),
      ...extra,
      ...(who ? { lockWho: who } : {}),
    },
  });
}

const LOCK_OPERATION = { plan: 'OperationTypePlan', apply: 'OperationTypeApply' } as const;

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
  // Only what earlier attempts journaled: entries before this attempt's step-started entry.
  const mine = ctx.run.entries.filter((e) => e.stepId === ctx.step.id);
  const current = mine.map((e) => e.type).lastIndexOf('step-started');
  const notes = mine.slice(0, current < 0 ? mine.length : current).filter((e) => e.type === 'note');
  // The last Terraform command this step started, in an earlier process, and never saw end.
  const lastStart = notes
    .filter((e) => e.data?.terraformStarting !== undefined || e.data?.applyStarting === true)
    .at(-1);
  if (!lastStart) return false;
  if (notes.some((e) => e.data?.applyFinished === true && e.at >= lastStart.at)) return false;
  const operation = lastStart.data?.terraformStarting === 'plan' ? 'plan' : 'apply';
  const who = lastStart.data?.lockWho;
  if (typeof who !== 'string' || lock.who !== who) return false;
  if (lock.operation !== undefined && lock.operation !== LOCK_OPERATION[operation]) return false;
  const created = lock.created ? Date.parse(lock.created.replace(/ \+0000 UTC$/, 'Z')) : NaN;
  // Clocks: the lock's Created is the runner's own clock, as is the journal's time.
  if (Number.isFinite(created) && created + 1000 < lastStart.at) return false;
  // A terraform child that outlived its killed parent still holds the lock legitimately.
  if (await infra.localTerraformRunning?.(ctx.run.signal).catch(() => true)) return false;
  const lockId = lock.id;
  await ctx.call('infrastructure.forceUnlock', { lockId, who }, () =>
    infra.forceUnlock!(lockId, ctx.run.signal),
  );
  const message = `released the Terraform state lock ${lockId} (${who}) left by this run's ${operation} that died in an earlier process`;
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
