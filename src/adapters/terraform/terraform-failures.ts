/**
 * How a failed terraform command becomes a DroverError: a held state lock is its own error (never
 * unlocked here), a stale saved plan says "plan again", any other plan or apply failure names its
 * error diagnostics, and an apply says which resources it did create before it failed.
 */
import { DroverError } from '../../core/errors.js';
import type { ExecResult } from '../exec/exec.js';
import { outputTail } from '../exec/output-tail.js';
import { createdAddresses, parseJsonStream, type TerraformDiagnostic } from './json-stream.js';
import { findLockDiagnostic, stateLockedError } from './state-lock.js';

/** The error for a `-json` plan or apply that exited non-zero. */
export function jsonCommandError(
  what: 'plan' | 'apply',
  result: ExecResult,
  lockTimeout: string,
): DroverError {
  const { diagnostics } = parseJsonStream(result.stdout);
  const lock = findLockDiagnostic(diagnostics);
  if (lock) return stateLockedError(lock, lockTimeout);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const stale = errors.some((d) => /saved plan is stale/i.test(d.summary));
  return new DroverError(
    'failed',
    stale ? 'TF_PLAN_STALE' : what === 'plan' ? 'TF_PLAN_FAILED' : 'TF_APPLY_FAILED',
    `terraform ${what} exited ${result.exitCode}: ${describeDiagnostics(errors, result.stderr)}`,
    {
      hint: stale
        ? 'the state changed since the plan was made: plan again'
        : what === 'apply'
          ? 'the apply may have changed some resources: Drover re-reads the state before any retry'
          : 'fix the Terraform configuration or backend access, then retry',
      details: {
        exitCode: result.exitCode,
        diagnostics: errors,
        // A multi-target apply creates in parallel: what it did create is recreated for good.
        ...(what === 'apply' ? { completed: createdAddresses(result.stdout) } : {}),
      },
    },
  );
}

/** The error for any other command (state pull, show, force-unlock) that exited non-zero. */
export function commandError(args: readonly string[], result: ExecResult): DroverError {
  return new DroverError(
    'failed',
    'TF_COMMAND_FAILED',
    `terraform ${args.slice(0, 2).join(' ')} exited ${result.exitCode}: ${outputTail(result.stderr || result.stdout)}`,
    {
      hint: 'check that the working directory was initialised (terraform init) and the backend is reachable',
    },
  );
}

export function initError(result: ExecResult): DroverError {
  return new DroverError(
    'failed',
    'TF_INIT_FAILED',
    `terraform init exited ${result.exitCode}: ${outputTail(result.stderr || result.stdout)}`,
    {
      hint: 'check the backend configuration and credentials (environment or -backend-config) and that the providers can be downloaded',
    },
  );
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new DroverError(
      'failed',
      'TF_JSON_INVALID',
      `terraform ${what} did not print JSON: ${outputTail(text, 200)}`,
      {
        cause,
        hint: 'check the Terraform version and that nothing else writes to its stdout',
      },
    );
  }
}

function describeDiagnostics(errors: TerraformDiagnostic[], stderr: string): string {
  if (errors.length === 0) return outputTail(stderr) || 'no diagnostic';
  return errors
    .map(
      (d) =>
        `${d.address ? `${d.address}: ` : ''}${d.summary}${d.detail ? ` (${outputTail(d.detail, 300)})` : ''}`,
    )
    .join('; ');
}
