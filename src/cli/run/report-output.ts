/**
 * Where a finished run's report goes: the JSON file (and beside it a Markdown summary and the
 * timeline as SVG: report.json -> report.md, report.timeline.svg) with --report, the Markdown
 * summary on stderr (without the Mermaid chart, which a terminal cannot draw), the GitHub step summary when there is one, and the
 * JSON document on stdout with --json. The report must already be redacted.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { reportToMarkdown, timelineTitle } from '../../core/report-markdown.js';
import { timelineToSvg } from '../../core/timeline-svg.js';
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
    const base = options.reportFile.replace(/\.json$/, '');
    writeFileSync(`${base}.md`, markdown);
    writeFileSync(`${base}.timeline.svg`, timelineToSvg(report.timeline, timelineTitle(report)));
  }
  if (options.stepSummaryFile) appendFileSync(options.stepSummaryFile, `${markdown}\n`);
  options.stderr(`\n${reportToMarkdown(report, { chart: false })}`);
  if (options.json) options.stdout(`${JSON.stringify(report, null, 2)}\n`);
}
