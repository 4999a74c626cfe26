/**
 * `drover simulate` after the command line is parsed: the simulate use case, then its report
 * where the flags ask: --report FILE (with the Markdown and the timeline SVG beside it), the
 * summary on stderr, the JSON document on stdout with --json.
 */
import { runSimulate } from '../../app/simulate/run-simulate.js';
import type {
  SimulateIo,
  SimulateOptions,
  SimulateResult,
} from '../../app/simulate/run-simulate.js';
import { writeReportOutputs } from '../run/report-output.js';

export interface SimulateRunOptions extends SimulateOptions {
  json: boolean;
  reportFile?: string;
}

export interface SimulateRunIo extends SimulateIo {
  stdout(text: string): void;
}

export async function simulateAndReport(
  options: SimulateRunOptions,
  io: SimulateRunIo,
): Promise<SimulateResult> {
  const result = await runSimulate(options, io);
  writeReportOutputs(result.report, {
    ...(options.reportFile ? { reportFile: options.reportFile } : {}),
    json: options.json,
    stdout: io.stdout,
    stderr: io.stderr,
  });
  return result;
}
