/**
 * The picture of a run, end to end through simulate --report: the timeline in the report, the
 * Mermaid gantt in the Markdown summary, and the SVG beside the report (parsed as XML), for
 * cattle, pets and kubernetes, a failed run, and a crash then --resume across two runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// fast-xml-parser (3.x, here through s3rver): a real XML parser, so "valid SVG" means well-formed XML.
import { parse as parseXml, validate as validateXml } from 'fast-xml-parser';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { simulateAndReport } from '../../src/cli/simulate/simulate-and-report.js';
import type { UpgradeReport } from '../../src/core/report.js';
import { crashAndResume, scenarioFile, simulateInProcess, tempDir } from './helpers.js';

interface Outputs {
  report: UpgradeReport;
  markdown: string;
  svg: string;
}

function outputsOf(reportFile: string): Outputs {
  const base = reportFile.replace(/\.json$/, '');
  return {
    report: JSON.parse(readFileSync(reportFile, 'utf8')) as UpgradeReport,
    markdown: readFileSync(`${base}.md`, 'utf8'),
    svg: readFileSync(`${base}.timeline.svg`, 'utf8'),
  };
}

// ajv 6 (here through eslint) reads the draft-07 schema of schema/report.schema.json.
const validateReport = new Ajv({ allErrors: true }).compile(
  JSON.parse(
    readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8'),
  ) as object,
);

function expectReportMatchesSchema(report: UpgradeReport): void {
  const valid = validateReport(report);
  expect(valid, JSON.stringify(validateReport.errors, null, 2)).toBe(true);
}

/** The SVG is well-formed XML with one row group per timeline row and the lower bound marked. */
function expectValidSvg({ report, svg }: Outputs): void {
  expectReportMatchesSchema(report);
  expect(validateXml(svg)).toBe(true);
  const doc = parseXml(svg, {
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    arrayMode: (tag: string) => tag === 'g',
  }) as { svg: { '@_xmlns': string; g: { '@_class': string; '@_data-node'?: string }[] } };
  expect(doc.svg['@_xmlns']).toBe('http://www.w3.org/2000/svg');
  const rows = doc.svg.g.filter((g) => g['@_class'] === 'row').map((g) => g['@_data-node']);
  expect(rows).toEqual(report.timeline.rows.map((r) => r.name));
  expect(doc.svg.g.some((g) => g['@_class'] === 'lower-bound')).toBe(true);
  expect(svg).not.toMatch(/<script|href="http/);
}

/** The Mermaid block: a gantt whose every line is one of the statements it uses. */
function mermaidOf(markdown: string): string[] {
  const block = /```mermaid\n([\s\S]*?)\n```/.exec(markdown)?.[1];
  expect(block, 'a mermaid block').toBeDefined();
  const lines = (block ?? '').split('\n');
  expect(lines.slice(0, 4)).toEqual(['---', 'displayMode: compact', '---', 'gantt']);
  const statement =
    /^ {2}(title [^:;#\n]+|dateFormat YYYY-MM-DD HH:mm:ss|axisFormat %H:%M|todayMarker off|section [^:;#]+|[^:;#]+ :((done|active|crit|milestone), )?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d, \d+s)$/;
  for (const line of lines.slice(4)) expect(line).toMatch(statement);
  return lines;
}

describe('the timeline of a run', () => {
  it.each(['cattle', 'pets', 'kubernetes'] as const)(
    '%s: report timeline, Mermaid gantt and SVG agree with the steps',
    async (kind) => {
      const reportFile = join(tempDir(), 'report.json');
      const { exitCode } = await simulateInProcess({ kind, reportFile });
      expect(exitCode).toBe(0);
      const out = outputsOf(reportFile);
      const { report, markdown } = out;
      expect(report.schemaVersion).toBe(1);
      // Every step that ran has journal times, and its bar spans exactly those times.
      const origin = Date.parse(report.timeline.origin);
      const steps = [...report.clusterSteps, ...report.nodes.flatMap((n) => n.steps)];
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) {
        expect(step.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(step.finishedAt).toMatch(/Z$/);
        const bars = report.timeline.rows
          .flatMap((r) => r.bars)
          .filter((b) => b.stepId === step.id);
        expect(bars.length, step.id).toBe(step.attempts);
        expect(bars[0]!.start).toBeCloseTo((Date.parse(step.startedAt!) - origin) / 1000, 0);
        expect(bars.at(-1)!.end).toBeCloseTo((Date.parse(step.finishedAt!) - origin) / 1000, 0);
      }
      const nodeRows = report.timeline.rows.filter((r) => r.name !== 'cluster');
      expect(nodeRows.map((r) => r.name)).toEqual(report.nodes.map((n) => n.name));
      expect(report.timeline.lowerBoundSeconds).toBe(report.lowerBoundSeconds);
      expectValidSvg(out);
      const lines = mermaidOf(markdown);
      const drawn = report.timeline.rows.filter((r) => r.bars.some((b) => b.outcome !== 'skipped'));
      expect(lines.filter((l) => l.startsWith('  section ')).map((l) => l.slice(10))).toEqual([
        ...drawn.map((r) => r.name),
        'markers',
      ]);
      expect(lines).toContainEqual(expect.stringMatching(/^ {2}lower bound :milestone, /));
      // The header says what changed.
      const header = markdown.split('\n')[2];
      expect(header).toMatch(kind === 'kubernetes' ? /^Kubernetes \S+ → \S+/ : /^Talos \S+ → \S+/);
    },
    60_000,
  );

  it('a failed run: the failed attempt is drawn as failed, and the picture is still valid', async () => {
    const dir = tempDir();
    const scenario = scenarioFile(dir, 'never-ready', (s) => {
      s.faults = [{ type: 'never-ready', node: 'k8s-work-3' }] as typeof s.faults;
    });
    const reportFile = join(dir, 'report.json');
    const { exitCode } = await simulateInProcess({ scenarioFile: scenario, reportFile });
    expect(exitCode).toBe(1);
    const out = outputsOf(reportFile);
    expect(out.report.outcome).toBe('failed');
    const row = out.report.timeline.rows.find((r) => r.name === 'k8s-work-3');
    expect(row?.bars.some((b) => b.outcome === 'failed')).toBe(true);
    expectValidSvg(out);
    expect(out.svg).toMatch(/class="step \w+ failed"/);
    expect(mermaidOf(out.markdown)).toContainEqual(expect.stringMatching(/\(failed\) :crit, /));
  }, 60_000);

  it('an aborted run (a stop asked for mid-run) is drawn up to where it stopped', async () => {
    const reportFile = join(tempDir(), 'report.json');
    const controller = new AbortController();
    const { exitCode } = await simulateAndReport(
      { seed: 1, json: false, resume: false, api: 'memory', reportFile, signal: controller.signal },
      {
        stdout: () => undefined,
        stderr: () => undefined,
        reporter: {
          event: (e) => {
            if (e.type === 'step-started' && e.stepId === 'k8s-ctrl-2/drain') controller.abort();
          },
          flush: async () => undefined,
        },
        crash: () => undefined,
      },
    );
    expect(exitCode).toBe(1);
    const out = outputsOf(reportFile);
    expect(out.report.outcome).toBe('aborted');
    const bars = out.report.timeline.rows.flatMap((r) => r.bars);
    expect(bars.some((b) => b.stepId.startsWith('k8s-ctrl-1/'))).toBe(true);
    expect(bars.some((b) => b.stepId.startsWith('k8s-work-'))).toBe(false);
    expectValidSvg(out);
    mermaidOf(out.markdown);
  }, 60_000);

  it('a crash then --resume: one timeline across both runs, the resume marked', async () => {
    const dir = tempDir();
    const reportFile = join(dir, 'report.json');
    const { crashed, resumed } = await crashAndResume({ crashAfterSteps: 40, reportFile });
    expect(crashed).toBe(true);
    expect(resumed?.exitCode).toBe(0);
    const out = outputsOf(reportFile);
    const { timeline } = out.report;
    expect(timeline.runs).toHaveLength(2);
    expect(timeline.runs[1]?.resumed).toBe(true);
    expect(timeline.runs[1]!.start).toBeGreaterThan(0);
    // Bars from the first run are kept (the report is built from the whole journal).
    expect(timeline.rows.flatMap((r) => r.bars).some((b) => b.end <= timeline.runs[1]!.start)).toBe(
      true,
    );
    expectValidSvg(out);
    expect(out.svg).toContain('class="resume"');
    expect(mermaidOf(out.markdown)).toContainEqual(
      expect.stringMatching(/^ {2}resumed :milestone, /),
    );
  }, 60_000);
});
