import { describe, expect, it } from 'vitest';
import type { Inventory } from './inventory.js';
import type { Plan } from './plan.js';
import { DEFAULT_POLICY } from './policy.js';
import { buildReport, REPORT_SCHEMA_VERSION } from './report.js';
import { reportToMarkdown } from './report-markdown.js';
import { vmReplacementsFromJournal } from './report-nodes.js';
import type { ReportJournalEntry } from './report.js';
import { exampleStep } from './testing/example-steps.js';

const inventory = {
  cluster: 'c',
  nodes: [
    { name: 'cp-1', role: 'controlplane', host: 'a' },
    { name: 'w-1', role: 'worker', host: 'b' },
    { name: 'w-2', role: 'worker', host: 'b' },
  ],
} as unknown as Inventory;

const step = (node: string, action: string) =>
  ({
    id: `${node}/${action}`,
    action,
    node,
    params: {},
    title: action,
  }) as Plan['phases'][number]['steps'][number];

const plan: Plan = {
  schemaVersion: 1,
  kind: 'cattle',
  cluster: 'c',
  from: '1.10.8',
  to: '1.11.0',
  hops: ['1.11.0'],
  policy: DEFAULT_POLICY,
  phases: [
    {
      id: 'templates',
      title: 't',
      steps: [{ ...exampleStep('rebuild-template'), id: 'template/x', title: 'x' }],
      units: [],
      concurrency: 'one-at-a-time',
    },
    {
      id: 'control-plane',
      title: 'cp',
      steps: [],
      units: [{ node: 'cp-1', steps: [step('cp-1', 'drain'), step('cp-1', 'replace-vm')] }],
      concurrency: 'one-at-a-time',
    },
    {
      id: 'workers',
      title: 'w',
      steps: [],
      units: ['w-1', 'w-2'].map((n) => ({
        node: n,
        steps: [step(n, 'drain'), step(n, 'replace-vm')],
      })),
      concurrency: 'disruption-policy',
    },
  ],
};

const T0 = Date.UTC(2026, 0, 1);
const e = (
  type: string,
  s: number,
  extra: Partial<ReportJournalEntry> = {},
): ReportJournalEntry => ({ type, at: T0 + s * 1000, runId: 'r', ...extra });
const stepEntries = (
  node: string,
  action: string,
  start: number,
  end: number,
  outcome = 'succeeded',
  data?: Record<string, unknown>,
) => [
  e('step-started', start, { stepId: `${node}/${action}`, node, action }),
  e('step-finished', end, {
    stepId: `${node}/${action}`,
    node,
    action,
    outcome,
    ...(data ? { data } : {}),
  }),
];

describe('buildReport', () => {
  const entries: ReportJournalEntry[] = [
    e('run-started', 0),
    ...stepEntries('template', 'rebuild-template', 0, 100).map((x) => ({
      ...x,
      stepId: 'template/x',
      node: undefined,
    })),
    ...stepEntries('cp-1', 'drain', 100, 160, 'succeeded', { evicted: 3, forced: 1 }),
    e('step-started', 160, { stepId: 'cp-1/replace-vm', node: 'cp-1', action: 'replace-vm' }),
    // a crash; the resumed run finds the VM already replaced
    e('run-started', 500, { data: { resumed: true } }),
    e('step-started', 500, { stepId: 'cp-1/replace-vm', node: 'cp-1', action: 'replace-vm' }),
    e('step-finished', 510, {
      stepId: 'cp-1/replace-vm',
      node: 'cp-1',
      action: 'replace-vm',
      outcome: 'succeeded',
      data: { vmReplaced: true },
    }),
    ...stepEntries('w-1', 'drain', 510, 520),
    e('step-started', 520, { stepId: 'w-1/replace-vm', node: 'w-1', action: 'replace-vm' }),
    e('step-finished', 530, {
      stepId: 'w-1/replace-vm',
      node: 'w-1',
      action: 'replace-vm',
      outcome: 'failed',
      message: 'boom',
    }),
    e('note', 531, { node: 'w-1', data: { leftCordoned: true }, message: 'w-1 left cordoned' }),
  ];
  const report = buildReport({
    plan,
    inventory,
    runId: 'r',
    entries,
    outcome: 'failed',
    finishedAt: T0 + 600_000,
    lowerBoundSeconds: 321.04,
    failure: {
      stepId: 'w-1/replace-vm',
      node: 'w-1',
      action: 'replace-vm',
      code: 'X',
      category: 'failed',
      message: 'boom',
      hint: 'fix it',
    },
    notes: ['w-1 left cordoned'],
    violations: [],
  });

  it('has the shape and fields of schema/report.schema.json', () => {
    expect(report).toMatchObject({
      kind: 'cattle',
      from: '1.10.8',
      to: '1.11.0',
      outcome: 'failed',
      durationSeconds: 600,
      lowerBoundSeconds: 321,
      resumed: true,
      violations: [],
    });
    expect(report.startedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('per node: outcome, times, VM replacements across resumes, drain counts, steps with attempts', () => {
    const [cp, w1, w2] = report.nodes;
    expect(cp).toMatchObject({
      name: 'cp-1',
      role: 'controlplane',
      host: 'a',
      outcome: 'succeeded',
      vmReplacements: 1,
      drain: { evicted: 3, forced: 1 },
      leftCordoned: false,
    });
    expect(cp?.steps.find((s) => s.name === 'replace-vm')).toMatchObject({
      outcome: 'succeeded',
      attempts: 2,
      durationSeconds: 350,
    });
    expect(cp?.startedAt).toBe('2026-01-01T00:01:40.000Z');
    expect(w1).toMatchObject({
      outcome: 'failed',
      vmReplacements: 0,
      leftCordoned: true,
      finishedAt: null,
    });
    expect(w2).toMatchObject({ outcome: 'not-started', steps: [], startedAt: null });
  });

  it('cluster steps are reported apart', () => {
    expect(report.clusterSteps).toEqual([
      {
        id: 'template/x',
        name: 'rebuild-template',
        outcome: 'succeeded',
        durationSeconds: 100,
        attempts: 1,
        startedAt: '2026-01-01T00:00:00.000Z',
        finishedAt: '2026-01-01T00:01:40.000Z',
      },
    ]);
  });

  it('counts only replacements the journal proves', () => {
    expect(vmReplacementsFromJournal(entries, 'cp-1')).toBe(1);
    expect(vmReplacementsFromJournal(entries, 'w-1')).toBe(0);
  });

  it('renders a Markdown summary that says where it stopped and why', () => {
    const md = reportToMarkdown(report);
    expect(md).toContain('failed');
    expect(md).toContain('**Stopped at** `w-1/replace-vm` on **w-1**: [X] boom');
    expect(md).toContain('Hint: fix it');
    expect(md).toContain('| w-1 | worker | b | failed (left cordoned) | 0 | - |');
    expect(md).toContain('| cp-1 | controlplane | a | succeeded | 1 | 3/1 |');
    // A real run has no checker: an empty list is "not observed", never "none violated".
    expect(report.invariantsObserved).toBe(false);
    expect(md).toContain('Invariant violations: not observed');
    expect(md).not.toContain('Invariant violations: none.');
    expect(reportToMarkdown({ ...report, invariantsObserved: true })).toContain(
      'Invariant violations: none.',
    );
    expect(
      reportToMarkdown({
        ...report,
        violations: [
          { invariant: 'backup-before-destroy', at: 0, message: 'destroyed without backup' },
        ],
      }),
    ).toContain('- backup-before-destroy: destroyed without backup');
  });

  it('the header names what changed; the Markdown ends with the gantt unless asked not to', () => {
    const md = reportToMarkdown(report);
    expect(md).toContain('Talos 1.10.8 → 1.11.0: node VMs recreated from new templates (resumed)');
    expect(reportToMarkdown({ ...report, kind: 'pets', to: '1.10.9' })).toContain(
      'Talos 1.10.8 → 1.10.9: nodes upgraded in place',
    );
    const k8s = reportToMarkdown({ ...report, kind: 'kubernetes', from: '1.33.5', to: '1.34.0' });
    expect(k8s).toContain('Kubernetes 1.33.5 → 1.34.0');
    expect(k8s).not.toMatch(/Talos/);
    expect(md).toMatch(/```mermaid\n---\ndisplayMode: compact\n---\ngantt\n/);
    expect(md).toContain('  section cp-1');
    expect(reportToMarkdown(report, { chart: false })).not.toContain('```mermaid');
  });

  it('carries schemaVersion and each step its journal times', () => {
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    const replace = report.nodes[0]?.steps.find((s) => s.name === 'replace-vm');
    // First start (before the crash) to last finish (after the resume).
    expect(replace).toMatchObject({
      startedAt: '2026-01-01T00:02:40.000Z',
      finishedAt: '2026-01-01T00:08:30.000Z',
    });
    const failed = report.nodes[1]?.steps.find((s) => s.name === 'replace-vm');
    expect(failed?.finishedAt).toBe('2026-01-01T00:08:50.000Z');
    expect(report.timeline.rows.map((r) => r.name)).toEqual(['cluster', 'cp-1', 'w-1', 'w-2']);
  });

  it('a node whose steps were all skipped is reported as already at the target', () => {
    const skipped = buildReport({
      plan,
      inventory,
      runId: 'r',
      outcome: 'succeeded',
      finishedAt: T0,
      lowerBoundSeconds: 0,
      failure: null,
      notes: [],
      violations: [],
      entries: ['drain', 'replace-vm'].map((a) =>
        e('step-finished', 0, { stepId: `w-2/${a}`, node: 'w-2', action: a, outcome: 'skipped' }),
      ),
    });
    expect(skipped.nodes.find((n) => n.name === 'w-2')?.outcome).toBe('already-at-target');
    expect(skipped.resumed).toBe(false);
  });
});
