/**
 * Recognises Terraform's "state is locked" failure. Drover never force-unlocks: a lock held by a
 * live operation protects the state, and only a human can tell a dead holder from a slow one.
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

export function stateLockedError(
  diagnostic: TerraformDiagnostic,
  lockTimeout: string,
): DroverError {
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
        `Drover never force-unlocks; if the holder is certainly dead, an operator may run \`terraform force-unlock ${info.id ?? '<ID>'}\` by hand.`,
      details: { lock: info, transient: true },
    },
  );
}
