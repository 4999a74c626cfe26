/**
 * The one chokepoint for child processes: argv arrays only (never a shell), a timeout, an
 * AbortSignal, stdin for secrets (never argv), and redaction of everything echoed back.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { CodeIn } from '../../core/error-codes.js';
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';

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
  /** Called with each chunk of stdout/stderr as it arrives (already redacted). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
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

/** Signals the child's whole process group (it leads one: spawned detached); the child alone if that fails. */
function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) {
      process.kill(-child.pid, sig);
      return;
    }
  } catch {
    // The group is gone already, or the platform has no groups: fall back to the child.
  }
  child.kill(sig);
}

export async function exec(request: ExecRequest): Promise<ExecResult> {
  const { file, args, timeoutMs, signal, redactor } = request;
  const shown = describeCommand(file, args, redactor);
  if (signal?.aborted) {
    throw new DroverError('aborted', 'EXEC_ABORTED', `not started, run aborted: ${shown}`);
  }
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
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    let killedFor: 'timeout' | 'abort' | undefined;

    const kill = (why: 'timeout' | 'abort') => {
      if (killedFor) return;
      killedFor = why;
      killGroup(child, 'SIGTERM');
      // A child that ignores SIGTERM gets SIGKILL shortly after, and so does its group.
      setTimeout(() => killGroup(child, 'SIGKILL'), 2000).unref();
    };
    const timer = setTimeout(() => kill('timeout'), timeoutMs);
    timer.unref();
    const onAbort = () => kill('abort');
    signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };

    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      request.onOutput?.('stdout', redact(chunk.toString('utf8'), redactor));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err.push(chunk);
      request.onOutput?.('stderr', redact(chunk.toString('utf8'), redactor));
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(() =>
        reject(
          new DroverError(
            'failed',
            error.code === 'ENOENT' ? 'EXEC_NOT_FOUND' : 'EXEC_SPAWN_FAILED',
            error.code === 'ENOENT'
              ? `${file} is not installed or not on PATH`
              : `could not start ${shown}: ${error.message}`,
            {
              hint:
                error.code === 'ENOENT'
                  ? `install ${file} (the runner image pins it) or put it on PATH`
                  : undefined,
              cause: error,
            },
          ),
        ),
      );
    });
    child.on('close', (code, sig) => {
      finish(() => {
        const stdoutBytes = Buffer.concat(out);
        const stdout = redact(stdoutBytes.toString('utf8'), redactor);
        const stderr = redact(Buffer.concat(err).toString('utf8'), redactor);
        const durationMs = Date.now() - started;
        if (killedFor === 'timeout') {
          reject(
            new DroverError(
              'failed',
              'EXEC_TIMEOUT',
              `timed out after ${Math.round(timeoutMs / 1000)} s: ${shown}`,
              {
                hint: 'raise the matching timeout in the policy if the operation is legitimately slow',
                details: { stderr: tail(stderr) },
              },
            ),
          );
          return;
        }
        if (killedFor === 'abort') {
          reject(new DroverError('aborted', 'EXEC_ABORTED', `aborted: ${shown}`));
          return;
        }
        resolve({
          exitCode: code ?? (sig ? 128 + signalNumber(sig) : 1),
          stdout,
          stderr,
          stdoutBytes,
          durationMs,
        });
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
      `${describeCommand(request.file, request.args, request.redactor)} exited ${result.exitCode}: ${tail(result.stderr || result.stdout)}`,
      { details: { exitCode: result.exitCode } },
    );
  }
  return result;
}

function redact(text: string, redactor: Redactor | undefined): string {
  return redactor ? redactor.redact(text) : text;
}

function tail(text: string, max = 600): string {
  const t = text.trim();
  return t.length <= max ? t : `…${t.slice(-max)}`;
}

function signalNumber(sig: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return table[sig] ?? 0;
}
