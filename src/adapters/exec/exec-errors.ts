/** The errors of the exec chokepoint; messages name the command as `describeCommand` shows it (redacted). */
import { DroverError } from '../../core/errors.js';
import { MAX_READ_OUTPUT_BYTES } from './output-buffer.js';
import { outputTail } from './output-tail.js';

export function spawnError(error: NodeJS.ErrnoException, file: string, shown: string): DroverError {
  const missing = error.code === 'ENOENT';
  return new DroverError(
    'failed',
    missing ? 'EXEC_NOT_FOUND' : 'EXEC_SPAWN_FAILED',
    missing
      ? `${file} is not installed or not on PATH`
      : `could not start ${shown}: ${error.message}`,
    {
      hint: missing ? `install ${file} (the runner image pins it) or put it on PATH` : undefined,
      cause: error,
    },
  );
}

export function timeoutError(timeoutMs: number, shown: string, stderr: string): DroverError {
  return new DroverError(
    'failed',
    'EXEC_TIMEOUT',
    `timed out after ${Math.round(timeoutMs / 1000)} s: ${shown}`,
    {
      hint: 'raise the matching timeout in the policy if the operation is legitimately slow',
      details: { stderr: outputTail(stderr) },
    },
  );
}

export function abortedError(shown: string, started: boolean): DroverError {
  return new DroverError(
    'aborted',
    'EXEC_ABORTED',
    started ? `aborted: ${shown}` : `not started, run aborted: ${shown}`,
  );
}

/**
 * A stream Drover reads went past its cap: the child ran to its end (a terraform apply or a
 * talosctl upgrade is never cut short by its chatter), but its output was not kept, so nothing
 * is parsed from a cut copy.
 */
export function outputTooLargeError(
  shown: string,
  stream: 'stdout' | 'stderr',
  exitCode: number,
  stderr: string,
): DroverError {
  const mib = MAX_READ_OUTPUT_BYTES / (1024 * 1024);
  return new DroverError(
    'failed',
    'EXEC_OUTPUT_TOO_LARGE',
    `${shown} printed more than ${mib} MiB on ${stream} (exit ${exitCode}); Drover reads at most that much and did not use its output`,
    {
      details: { stream, exitCode, ...(stream === 'stdout' ? { stderr: outputTail(stderr) } : {}) },
    },
  );
}
