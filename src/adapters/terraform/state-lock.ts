/**
 * Recognises Terraform's "state is locked" failure. "Error acquiring the state lock" alone is not
 * a lock: an S3 AccessDenied (or any backend error) starts with the same line but has no
 * `Lock Info:` block (hashicorp/terraform v1.11 internal/command/clistate/state.go prints Lock Info
 * only for a LockError with Info). That is a failure to fix, never something to wait out.
 * Drover force-unlocks only a lock it proved its own dead run left (engine/state-lock-recovery).
 */
import { DroverError } from '../../core/errors.js';
import type { TerraformDiagnostic } from './json-stream.js';

export interface StateLockInfo {
  id?: string;
  who?: string;
  operation?: string;
  created?: string;
  path?: string;
}

const LOCK_SUMMARY = /error acquiring the state lock/i;

export function findLockDiagnostic(
  diagnostics: readonly TerraformDiagnostic[],
): TerraformDiagnostic | undefined {
  return diagnostics.find((d) => d.severity === 'error' && LOCK_SUMMARY.test(d.summary));
}

/** Reads the `Lock Info:` block Terraform prints (same text for every backend). */
export function parseLockInfo(detail: string): StateLockInfo {
  const field = (name: string) => {
    const match = new RegExp(`^\\s*${name}:[ \\t]*(.*)$`, 'm').exec(detail);
    const value = match?.[1]?.trim();
    return value ? value : undefined;
  };
  const info: StateLockInfo = {};
  const id = field('ID');
  const who = field('Who');
  const operation = field('Operation');
  const created = field('Created');
  const path = field('Path');
  if (id) info.id = id;
  if (who) info.who = who;
  if (operation) info.operation = operation;
  if (created) info.created = created;
  if (path) info.path = path;
  return info;
}

/** The diagnostic carries a `Lock Info:` block with an ID: someone really holds the lock. */
export function isHeldLock(diagnostic: TerraformDiagnostic): boolean {
  return (
    /^\s*Lock Info:/m.test(diagnostic.detail) && parseLockInfo(diagnostic.detail).id !== undefined
  );
}

export function stateLockedError(
  diagnostic: TerraformDiagnostic,
  lockTimeout: string,
): DroverError {
  if (!isHeldLock(diagnostic)) {
    return new DroverError(
      'failed',
      'TF_STATE_LOCK_ERROR',
      `terraform could not acquire the state lock, and nobody holds it: ${diagnostic.detail.trim().split('\n')[0] ?? diagnostic.summary}`,
      {
        hint: 'The backend refused the lock operation itself (e.g. S3 AccessDenied on the lock file or DynamoDB table): fix the credentials or permissions; waiting will not help.',
      },
    );
  }
  const info = parseLockInfo(diagnostic.detail);
  const holder = [
    info.who && `held by ${info.who}`,
    info.operation && `for ${info.operation}`,
    info.created && `since ${info.created}`,
  ]
    .filter(Boolean)
    .join(' ');
  return new DroverError(
    'failed',
    'TF_STATE_LOCKED',
    `the Terraform state is locked${info.id ? ` (lock ID ${info.id})` : ''}${holder ? ` ${holder}` : ''}; waited ${lockTimeout}`,
    {
      hint:
        'another Terraform run holds the state lock: wait for it to finish and retry. ' +
        `Drover force-unlocks only a lock its own dead run left; if this holder is certainly dead, an operator may run \`terraform force-unlock ${info.id ?? '<ID>'}\` by hand.`,
      details: { lock: info },
    },
  );
}
