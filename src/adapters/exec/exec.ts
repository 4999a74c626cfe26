/**
 * The one chokepoint for child processes: argv arrays only (never a shell), a timeout, an
 * AbortSignal, stdin for secrets (never argv), and redaction of everything echoed back.
 */
import { spawn } from 'node:child_process';
import type { CodeIn } from '../../core/error-codes.js';
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import { abortedError, outputTooLargeError, spawnError, timeoutError } from './exec-errors.js';
import { OutputCapture, type OutputStream } from './output-capture.js';
import { outputTail } from './output-tail.js';
import { exitCodeOf, groupKiller } from './process-group.js';

export interface ExecRequest {
  file: string;
  args: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
  cwd?: string;
  /** Extra environment on top of the process's own (secrets belong here or in stdin, not argv). */
  env?: Record<string, string | undefined>;
  /** Replace the inherited environment entirely. */
  replaceEnv?: boolean;
  input?: string | Uint8Array;
  redactor?: Redactor;
  /** Called with stdout/stderr as it arrives, in whole lines (already redacted), whatever is kept. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /**
   * Streams only shown to people (messages, logs), never parsed: past the cap their tail is
   * kept. Any other stream past its cap fails the command with EXEC_OUTPUT_TOO_LARGE.
   */
  shownOnly?: readonly OutputStream[];
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Raw stdout bytes, for binary payloads (never logged). */
  stdoutBytes: Buffer;
  durationMs: number;
}

/** Renders a command for messages, redacted. */
export function describeCommand(
  file: string,
  args: readonly string[],
  redactor?: Redactor,
): string {
  const text = [file, ...args].map((a) => (/[\s"'$`\\]/.test(a) ? JSON.stringify(a) : a)).join(' ');
  return redactor ? redactor.redact(text) : text;
}

export async function exec(request: ExecRequest): Promise<ExecResult> {
  const { file, args, timeoutMs, signal, redactor } = request;
  const shown = describeCommand(file, args, redactor);
  if (signal?.aborted) throw abortedError(shown, false);
  const started = Date.now();
  return await new Promise<ExecResult>((resolve, reject) => {
    const env = request.replaceEnv ? { ...request.env } : { ...process.env, ...request.env };
    const child = spawn(file, [...args], {
      cwd: request.cwd,
      env: env as NodeJS.ProcessEnv,
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a kill reaches what it started too (terraform's providers,
      // a wrapper script's children), and a Ctrl-C on our terminal does not reach it.
      detached: true,
    });
    const output = new OutputCapture(redactor, request.onOutput, request.shownOnly);
    const killer = groupKiller(child);
    let settled = false;

    const timer = setTimeout(() => killer.kill('timeout'), timeoutMs);
    timer.unref();
    const onAbort = () => killer.kill('abort');
    signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };

    output.listen('stdout', child.stdout);
    output.listen('stderr', child.stderr);
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(() => reject(spawnError(error, file, shown)));
    });
    child.on('close', (code, sig) => {
      finish(() => {
        output.flush();
        const { stdout, stderr, stdoutBytes, tooLarge } = output.result();
        const durationMs = Date.now() - started;
        const killedFor = killer.reason();
        const exitCode = exitCodeOf(code, sig);
        if (killedFor === 'timeout') reject(timeoutError(timeoutMs, shown, stderr));
        else if (killedFor === 'abort') reject(abortedError(shown, true));
        else if (tooLarge) reject(outputTooLargeError(shown, tooLarge, exitCode, stderr));
        else resolve({ exitCode, stdout, stderr, stdoutBytes, durationMs });
      });
    });

    if (request.input !== undefined) child.stdin.end(request.input);
    else child.stdin.end();
  });
}

/** Runs and insists on exit 0; otherwise a DroverError quoting the (redacted) stderr tail. */
export async function execChecked(
  request: ExecRequest & { errorCode?: CodeIn<'failed'> },
): Promise<ExecResult> {
  const result = await exec(request);
  if (result.exitCode !== 0) {
    throw new DroverError(
      'failed',
      request.errorCode ?? 'EXEC_FAILED',
      `${describeCommand(request.file, request.args, request.redactor)} exited ${result.exitCode}: ${outputTail(result.stderr || result.stdout)}`,
      { details: { exitCode: result.exitCode } },
    );
  }
  return result;
}
