/**
 * Invariant backup-before-destroy: no VM is destroyed without a backup of the Terraform state taken after its last
 * change and read back. A backup is pulled, stored under `<cluster>/<ISO time>-<node>.tfstate`,
 * fetched again and compared by sha256. Callers hold the state mutex.
 */
import { createHash } from 'node:crypto';
import { DroverError } from '../core/errors.js';
import type { StateSnapshot } from '../ports/infrastructure.js';
import type { RunState, StepContext, VerifiedBackup } from './context.js';
import { ensureInfrastructureInit } from './infrastructure-init.js';

export const sha256 = (bytes: Uint8Array): string =>
  createHash('sha256').update(bytes).digest('hex');

export function backupKey(cluster: string, at: number, label: string): string {
  return `${cluster}/${new Date(at).toISOString()}-${label}.tfstate`;
}

/**
 * Applies this run has sent out, per run: a backup taken at one count is of the state every
 * later step sees as long as the count has not moved (vm-batch-backup.ts relies on it). Counted
 * before the apply goes out, so an apply in flight already makes older backups stale.
 */
const stateChanges = new WeakMap<RunState, number>();

export const stateChangesOf = (run: RunState): number => stateChanges.get(run) ?? 0;

/** Call right before an apply goes out. */
export function noteStateChange(run: RunState): void {
  stateChanges.set(run, stateChangesOf(run) + 1);
}

/**
 * `pulled`: a snapshot the caller pulled under the same state mutex a moment ago (the serial
 * check of ensureFreshBackup): it is the current state, so it is backed up rather than pulled again.
 */
export async function takeVerifiedBackup(
  ctx: StepContext,
  label: string,
  pulled?: StateSnapshot,
): Promise<VerifiedBackup> {
  const { infrastructure, stateBackup, clock } = ctx.run.ports;
  await ensureInfrastructureInit(ctx.run);
  const snapshot: StateSnapshot =
    pulled ??
    (await ctx.call('infrastructure.pullState', {}, () =>
      infrastructure.pullState(ctx.run.signal),
    ));
  const key = backupKey(ctx.run.plan.cluster, clock.now(), label);
  const digest = sha256(snapshot.bytes);
  const stored = await ctx.call(
    'stateBackup.put',
    { key, serial: snapshot.serial, sha256: digest },
    () => stateBackup.put(key, snapshot.bytes, ctx.run.signal),
  );
  const readBack = await ctx.call('stateBackup.get', { key }, () =>
    stateBackup.get(key, ctx.run.signal),
  );
  const readDigest = sha256(readBack);
  if (readDigest !== digest || stored.sha256 !== digest) {
    throw new DroverError(
      'failed',
      'BACKUP_MISMATCH',
      `the state backup ${key} does not read back identical`,
      {
        hint: 'The backup store returned other bytes than were written; nothing was destroyed. Check the bucket.',
        details: { key, expected: digest, stored: stored.sha256, readBack: readDigest },
      },
    );
  }
  const backup = { serial: snapshot.serial, lineage: snapshot.lineage, key, sha256: digest };
  ctx.run.lastVerifiedBackup = backup;
  return backup;
}

/** Returns a backup valid for the current state, taking a fresh one when the state moved on. */
export async function ensureFreshBackup(ctx: StepContext, label: string): Promise<VerifiedBackup> {
  await ensureInfrastructureInit(ctx.run);
  const current = await ctx.call('infrastructure.pullState', { purpose: 'serial check' }, () =>
    ctx.run.ports.infrastructure.pullState(ctx.run.signal),
  );
  const last = ctx.run.lastVerifiedBackup;
  if (last && last.serial === current.serial && last.lineage === current.lineage) return last;
  ctx.run.log(
    'info',
    `state serial ${current.serial} is newer than the last verified backup; taking a fresh one`,
    ctx.node?.name,
  );
  return takeVerifiedBackup(ctx, label, current);
}
