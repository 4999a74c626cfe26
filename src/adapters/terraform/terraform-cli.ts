/**
 * The terraform CLI through the exec chokepoint: `init -input=false` once before the first other
 * command (a fresh or CI checkout has no `.terraform/`, and every other command fails with
 * "Backend initialization required"), the automation environment on every call, and non-zero
 * exits turned into errors (see terraform-failures).
 */
import type { Redactor } from '../../core/redact.js';
import { exec, type ExecResult } from '../exec/exec.js';
import { JsonLineSplitter, parseJsonLine, type TerraformProgress } from './json-stream.js';
import { commandError, initError, jsonCommandError } from './terraform-failures.js';

export interface TerraformCliOptions {
  workingDir: string;
  binary: string;
  /** Passed as -lock-timeout, e.g. '5m'. */
  lockTimeout: string;
  redactor: Redactor;
  /** Extra environment, e.g. backend credentials (AWS_*); never argv. */
  env?: Record<string, string | undefined>;
  onProgress?: (event: TerraformProgress) => void;
}

/** init downloads providers and configures the backend. */
const INIT_TIMEOUT_MS = 10 * 60_000;

export class TerraformCli {
  private initialised: Promise<void> | undefined;

  constructor(private readonly options: TerraformCliOptions) {}

  /** `terraform init -input=false` once; a failed init is retried by the next command. */
  init(signal?: AbortSignal): Promise<void> {
    this.initialised ??= (async () => {
      const result = await this.exec(
        ['init', '-input=false', '-no-color'],
        INIT_TIMEOUT_MS,
        signal,
      );
      if (result.exitCode !== 0) throw initError(result);
    })().catch((error: unknown) => {
      this.initialised = undefined;
      throw error;
    });
    return this.initialised;
  }

  /** Runs a command; a non-zero exit is TF_COMMAND_FAILED. */
  async run(args: string[], timeoutMs: number, signal?: AbortSignal): Promise<ExecResult> {
    const result = await this.exec(args, timeoutMs, signal);
    if (result.exitCode !== 0) throw commandError(args, result);
    return result;
  }

  /** Runs a `-json` plan or apply, streaming progress, and turns failures into precise errors. */
  async runJson(
    what: 'plan' | 'apply',
    args: string[],
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ExecResult> {
    const onProgress = this.options.onProgress;
    const splitter = new JsonLineSplitter((line) => {
      const { progress } = parseJsonLine(line);
      if (progress) onProgress?.(progress);
    });
    const result = await this.exec(args, timeoutMs, signal, (stream, chunk) => {
      if (stream === 'stdout') splitter.push(chunk);
    });
    splitter.end();
    if (result.exitCode === 0) return result;
    throw jsonCommandError(what, result, this.options.lockTimeout);
  }

  private async exec(
    args: string[],
    timeoutMs: number,
    signal: AbortSignal | undefined,
    onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void,
  ): Promise<ExecResult> {
    if (args[0] !== 'init') await this.init(signal);
    return exec({
      file: this.options.binary,
      args,
      cwd: this.options.workingDir,
      timeoutMs,
      signal,
      redactor: this.options.redactor,
      onOutput,
      // stderr only goes into messages (with -json, diagnostics come on stdout, which is read).
      shownOnly: ['stderr'],
      env: { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', ...this.options.env },
    });
  }
}
