/**
 * Where a finished run's report goes: the JSON file (and a Markdown summary beside it) with
 * --report, the Markdown summary on stderr, the GitHub step summary when there is one, and the
 * JSON document on stdout with --json. The report must already be redacted.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { reportToMarkdown } from '../../core/report.js';
import type { UpgradeReport } from '../../core/report.js';

export interface ReportOutputOptions {
  reportFile?: string;
  json: boolean;
  /** GITHUB_STEP_SUMMARY: the Markdown summary is appended there too. */
  stepSummaryFile?: string;
  stdout(text: string): void;
  stderr(text: string): void;
}

export function writeReportOutputs(report: UpgradeReport, options: ReportOutputOptions): void {
  const markdown = reportToMarkdown(report);
  if (options.reportFile) {
    writeFileSync(options.reportFile, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(options.reportFile.replace(/\.json$/, '') + '.md', markdown);
  }
  if (options.stepSummaryFile) appendFileSync(options.stepSummaryFile, `${markdown}\n`);
  options.stderr(`\n${markdown}`);
  if (options.json) options.stdout(`${JSON.stringify(report, null, 2)}\n`);
}
