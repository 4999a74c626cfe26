/** The errors of the exec chokepoint; messages name the command as `describeCommand` shows it (redacted). */
import { DroverError } from '../../core/errors.js';
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
