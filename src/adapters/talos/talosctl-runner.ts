/**
 * The argv and exec plumbing every talosctl call shares: the global --talosconfig (checked to
 * exist first), the -n/-e target flags, NO_COLOR, redaction, through the exec chokepoint.
 */
import { access } from 'node:fs/promises';
import { DroverError } from '../../core/errors.js';
import { exec, type ExecResult } from '../exec/exec.js';
import {
  DEFAULT_TIMEOUTS,
  type TalosctlAdapterOptions,
  type TalosctlTimeouts,
} from './talosctl-options.js';

export class TalosctlRunner {
  readonly timeouts: TalosctlTimeouts;
  private readonly binary: string;
  private talosconfigChecked = false;

  constructor(readonly options: TalosctlAdapterOptions) {
    this.binary = options.binary ?? 'talosctl';
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  }

  target(nodes: string): string[] {
    const endpoints = this.options.endpoints ?? [];
    return ['-n', nodes, ...(endpoints.length > 0 ? ['-e', endpoints.join(',')] : [])];
  }

  async run(
    args: string[],
    timeoutMs: number,
    signal?: AbortSignal,
    onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void,
  ): Promise<ExecResult> {
    await this.checkTalosconfig();
    const global = this.options.talosconfig ? ['--talosconfig', this.options.talosconfig] : [];
    return exec({
      file: this.binary,
      args: [...global, ...args],
      timeoutMs,
      signal,
      redactor: this.options.redactor,
      // Plain lines, no ANSI redraws: talosctl colours only on a TTY, NO_COLOR covers the rest.
      env: { NO_COLOR: '1', ...this.options.env },
      onOutput,
    });
  }

  /** talosctl creates a missing explicit --talosconfig empty and then fails obscurely: check first. */
  private async checkTalosconfig(): Promise<void> {
    if (this.talosconfigChecked || !this.options.talosconfig) return;
    try {
      await access(this.options.talosconfig);
    } catch (cause) {
      throw new DroverError(
        'input',
        'TALOSCONFIG_MISSING',
        `talosconfig ${this.options.talosconfig} does not exist`,
        {
          cause,
          hint: "point --talosconfig or TALOSCONFIG at the cluster's talosconfig",
        },
      );
    }
    this.talosconfigChecked = true;
  }
}
