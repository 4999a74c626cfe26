/**
 * `drover upgrade` after the command line is parsed: run the use case, print the report (and
 * write it where --report and the GitHub step summary ask), or print the error; the exit code.
 * Everything leaving the process passes the run's Redactor.
 */
import { executeUpgrade } from '../../app/upgrade/execute-upgrade.js';
import type { UseCaseIo } from '../../app/upgrade/execute-upgrade.js';
import type { UpgradeOptions } from '../../app/upgrade/upgrade-input.js';
import { exitCodeOf } from '../../app/run/exit-code.js';
import { writeReportOutputs } from '../run/report-output.js';
import { Redactor } from '../../core/redact.js';
import { createReporter } from '../progress/index.js';
import { reportFailure } from '../run/report-failure.js';
import { withAbortOnSignals } from '../run/abort-on-signals.js';
import { upgradeOptionsFrom } from './upgrade-options.js';

/** The command's streams and dependencies; the Redactor is the command's own. */
export type CommandIo = Omit<UseCaseIo, 'redactor'>;

export async function upgradeCommand(
  kind: string,
  options: UpgradeOptions,
  io: CommandIo,
): Promise<number> {
  const redactor = new Redactor();
  try {
    const report = await executeUpgrade(kind, options, { ...io, redactor });
    writeReportOutputs(report, {
      ...(options.report ? { reportFile: options.report } : {}),
      ...(io.env.GITHUB_STEP_SUMMARY ? { stepSummaryFile: io.env.GITHUB_STEP_SUMMARY } : {}),
      json: options.json,
      stdout: io.stdout,
      stderr: (t) => io.stderr(redactor.redact(t)),
    });
    return exitCodeOf(report);
  } catch (error) {
    await io.reporter.flush();
    return reportFailure(error, { json: options.json, redactor, ...io });
  }
}

/** Process wiring: the environment, signals and the progress renderer. */
export async function runUpgradeCommand(
  kind: string,
  raw: Record<string, unknown>,
): Promise<number> {
  const options = upgradeOptionsFrom(raw);
  return withAbortOnSignals((signal) =>
    upgradeCommand(kind, options, {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      env: process.env,
      reporter: createReporter({ plain: options.json }),
      signal,
    }),
  );
}
