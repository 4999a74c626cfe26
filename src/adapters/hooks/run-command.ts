/**
 * Runs one operator command (a hook or a command gate) through the exec chokepoint: an argv
 * array (no shell: a user who wants one writes [sh, -c, "..."] themselves), a timeout, the
 * DROVER_* context in its environment, and its output redacted and cut to a tail for reports.
 */
import { exec, describeCommand } from '../exec/exec.js';
import { outputTail as tailOf } from '../exec/output-tail.js';
import { isDroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';

/** Characters of output kept for the report and the journal (the end: where errors are). */
export const OUTPUT_TAIL_CHARS = 2000;

export interface OperatorCommand {
  /** argv: the program, then its arguments. */
  command: readonly string[];
  timeoutSeconds: number;
}

export interface CommandRun {
  /** The command as shown to people, redacted. */
  command: string;
  exitCode: number | undefined;
  durationSeconds: number;
  outputTail: string;
  error?: string;
}

export function outputTail(text: string, max = OUTPUT_TAIL_CHARS): string {
  return tailOf(text, max);
}

export async function runOperatorCommand(
  spec: OperatorCommand,
  options: {
    env: Record<string, string>;
    redactor: Redactor;
    cwd?: string;
    signal?: AbortSignal;
  },
): Promise<CommandRun> {
  const [file, ...args] = spec.command;
  const shown = describeCommand(file ?? '', args, options.redactor);
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  if (file === undefined)
    return {
      command: shown,
      exitCode: undefined,
      durationSeconds: 0,
      outputTail: '',
      error: 'empty command',
    };
  try {
    const result = await exec({
      file,
      args,
      timeoutMs: spec.timeoutSeconds * 1000,
      env: options.env,
      redactor: options.redactor,
      // Only its tail reaches the report and the journal: a chatty hook keeps its last MiB.
      shownOnly: ['stdout', 'stderr'],
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // stdout then stderr: most tools put the reason for a failure on stderr, at the end.
    const output = [result.stdout.trim(), result.stderr.trim()].filter((s) => s !== '').join('\n');
    return {
      command: shown,
      exitCode: result.exitCode,
      durationSeconds: seconds(),
      outputTail: outputTail(output),
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stderr = isDroverError(error) ? error.details?.stderr : undefined;
    return {
      command: shown,
      exitCode: undefined,
      durationSeconds: seconds(),
      outputTail: typeof stderr === 'string' ? outputTail(options.redactor.redact(stderr)) : '',
      error: options.redactor.redact(message),
    };
  }
}
