/**
 * The upgrade report, built from the journal (the ground truth, across resumes), the plan and
 * the inventory; plus a Markdown summary. Pure: times come from journal entries.
 */
import { baselineSeconds } from './baseline.js';
import { DEFAULT_STEP_DURATIONS } from './durations.js';
import type { StepDurations } from './durations.js';
import { findNode, type Inventory } from './inventory.js';
import type { Plan, PlanStep, StepAction, UpgradeKind } from './plan.js';
import { LEAD_IN_ACTIONS } from './lead-in.js';
import { mixedVersionsLine, mixedVersionsOf } from './mixed-versions.js';
import type { MixedVersions } from './mixed-versions.js';
import { buildTimeline } from './timeline.js';
import type { Timeline } from './timeline.js';
import { timelineToMermaid } from './timeline-mermaid.js';
import type { InvariantName } from './invariants.js';

/** Bumped when a field changes meaning or goes away; new fields keep the version. */
export const REPORT_SCHEMA_VERSION = 1;

/** The journal entry shape the report reads (the JournalEntry of ports/journal.ts satisfies it). */
export interface ReportJournalEntry {
  type: string;
  at: number;
  runId: string;
  stepId?: string;
  node?: string;
  action?: string;
  outcome?: string;
  message?: string;
  code?: string;
  attempt?: number;
  data?: Record<string, unknown>;
}

export const REPORT_OUTCOMES = ['succeeded', 'failed', 'aborted'] as const;
export type ReportOutcome = (typeof REPORT_OUTCOMES)[number];

export const NODE_OUTCOMES = [
  'succeeded',
  'already-at-target',
  'failed',
  'aborted',
  'incomplete',
  'not-started',
] as const;
export type NodeOutcome = (typeof NODE_OUTCOMES)[number];

export interface StepReport {
  id: string;
  name: string;
  outcome: string;
  durationSeconds: number;
  attempts: number;
  /** ISO, from the journal: the first start, across attempts and resumes; null if never started. */
  startedAt: string | null;
  /** ISO, from the journal: the last finish; null while the step never finished. */
  finishedAt: string | null;
  message?: string;
}

export interface NodeReport {
  name: string;
  role: string;
  host: string;
  fromVersion: string;
  toVersion: string;
  outcome: NodeOutcome;
  startedAt: string | null;
  finishedAt: string | null;
  vmReplacements: number;
  /** Left cordoned by a failed or aborted run (invariant uncordon-when-done explains why). */
  leftCordoned: boolean;
  drain?: { evicted: number; forced: number };
  steps: StepReport[];
}

export interface Violation {
  invariant: InvariantName;
  at: number;
  message: string;
}

export interface ReportFailure {
  stepId: string;
  node: string | null;
  action: string;
  code: string;
  category: string;
  message: string;
  hint: string | null;
}

export interface UpgradeReport {
  /** REPORT_SCHEMA_VERSION: readers check it before they rely on a field. */
  schemaVersion: number;
  kind: UpgradeKind;
  cluster: string;
  from: string;
  to: string;
  runId: string;
  outcome: ReportOutcome;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  lowerBoundSeconds: number;
  /** The same plan one node at a time, steps at their nominal durations (core/baseline.ts). */
  baselineSeconds: number;
  resumed: boolean;
  failure: ReportFailure | null;
  clusterSteps: StepReport[];
  nodes: NodeReport[];
  /** Notes for the operator: takeovers, nodes left cordoned and why, and so on. */
  notes: string[];
  violations: Violation[];
  /**
   * Whether anything watched the invariants: the simulated cluster does; a real run has no
   * checker, so its empty `violations` means "not observed", never "none violated".
   */
  invariantsObserved: boolean;
  /** Some nodes at the target and some not when the run ended (a selected or stopped run); null otherwise. */
  mixedVersions: MixedVersions | null;
  /** The run as a picture's data: a row per node, a bar per step attempt (timeline.ts). */
  timeline: Timeline;
}

export interface ReportInput {
  plan: Plan;
  inventory: Inventory;
  runId: string;
  entries: ReportJournalEntry[];
  outcome: ReportOutcome;
  finishedAt: number;
  lowerBoundSeconds: number;
  /** The durations the baseline is computed with (default: DEFAULT_STEP_DURATIONS). */
  durations?: StepDurations;
  failure: ReportFailure | null;
  notes: string[];
  violations: Violation[];
  /** True only when a checker watched the run (simulate); see UpgradeReport. */
  invariantsObserved?: boolean;
}

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

const round = (seconds: number): number => Math.round(seconds * 10) / 10;

function stepReport(step: PlanStep, entries: ReportJournalEntry[]): StepReport | undefined {
  const mine = entries.filter((e) => e.stepId === step.id);
  const starts = mine.filter((e) => e.type === 'step-started');
  const finishes = mine.filter((e) => e.type === 'step-finished');
  const last = finishes[finishes.length - 1];
  if (starts.length === 0 && last === undefined) return undefined;
  const first = starts[0] ?? last;
  const outcome = last?.outcome ?? 'incomplete';
  // Time spent across every attempt and resume: first start to last finish.
  const end = last?.at ?? first?.at ?? 0;
  return {
    id: step.id,
    name: step.action,
    outcome,
    durationSeconds: round((end - (first?.at ?? end)) / 1000),
    attempts: Math.max(starts.length, 1),
    startedAt: iso(first?.at),
    finishedAt: iso(last?.at),
    ...(last?.message ? { message: last.message } : {}),
  };
}

/** Replacements the journal proves: replace-vm steps that finished having recreated the VM. */
export function vmReplacementsFromJournal(entries: ReportJournalEntry[], node: string): number {
  return entries.filter(
    (e) =>
      e.type === 'step-finished' &&
      e.node === node &&
      e.action === 'replace-vm' &&
      e.outcome === 'succeeded' &&
      e.data?.vmReplaced === true,
  ).length;
}

function nodeOutcome(steps: StepReport[], total: number): NodeOutcome {
  if (steps.length === 0) return 'not-started';
  // Only its lead-in ran (core/lead-in.ts: backup and plan check, while the node before booted):
  // its cycle never started, the node is as it was.
  if (steps.every((s) => LEAD_IN_ACTIONS.has(s.name as StepAction) && s.outcome === 'succeeded'))
    return 'not-started';
  if (steps.some((s) => s.outcome === 'failed')) return 'failed';
  if (steps.some((s) => s.outcome === 'aborted')) return 'aborted';
  if (steps.length < total || steps.some((s) => s.outcome === 'incomplete')) return 'incomplete';
  if (steps.every((s) => s.outcome === 'skipped')) return 'already-at-target';
  return 'succeeded';
}

function groupEntries(
  entries: ReportJournalEntry[],
  keyOf: (e: ReportJournalEntry) => string | undefined,
): Map<string, ReportJournalEntry[]> {
  const groups = new Map<string, ReportJournalEntry[]>();
  for (const e of entries) {
    const key = keyOf(e);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  }
  return groups;
}

export function buildReport(input: ReportInput): UpgradeReport {
  const { plan, inventory, entries } = input;
  const runStart = entries.find((e) => e.type === 'run-started')?.at ?? input.finishedAt;
  const runStarts = entries.filter((e) => e.type === 'run-started');
  const unitSteps = new Map<string, PlanStep[]>();
  for (const phase of plan.phases)
    for (const unit of phase.units)
      unitSteps.set(unit.node, [...(unitSteps.get(unit.node) ?? []), ...unit.steps]);
  const clusterPlanSteps = plan.phases.flatMap((p) => p.steps);
  const cordonedNodes = new Set(
    entries.filter((e) => e.type === 'note' && e.data?.leftCordoned === true).map((e) => e.node),
  );

  // Entries by step and by node, grouped once: a 1,000-node journal read per step is slow.
  const byStep = groupEntries(entries, (e) => e.stepId);
  const byNode = groupEntries(entries, (e) => e.node);
  const stepEntries = (s: PlanStep) => byStep.get(s.id) ?? [];

  const nodes: NodeReport[] = [];
  for (const [name, planSteps] of unitSteps) {
    const node = findNode(inventory, name);
    const steps = planSteps.flatMap((s) => stepReport(s, stepEntries(s)) ?? []);
    const nodeEntries = byNode.get(name) ?? [];
    const mine = nodeEntries.filter((e) => e.type.startsWith('step-'));
    const drainEntry = nodeEntries.find(
      (e) =>
        e.type === 'step-finished' &&
        e.node === name &&
        e.action === 'drain' &&
        e.outcome === 'succeeded',
    );
    const drain =
      drainEntry?.data && typeof drainEntry.data.evicted === 'number'
        ? { evicted: drainEntry.data.evicted, forced: Number(drainEntry.data.forced ?? 0) }
        : undefined;
    const outcome = nodeOutcome(steps, planSteps.length);
    const lastFinished = [...mine].reverse().find((e) => e.type === 'step-finished');
    nodes.push({
      name,
      role: node?.role ?? 'unknown',
      host: node?.host ?? 'unknown',
      fromVersion: plan.from,
      toVersion: plan.to,
      outcome,
      startedAt: iso(mine[0]?.at),
      finishedAt:
        outcome === 'succeeded' || outcome === 'already-at-target' ? iso(lastFinished?.at) : null,
      vmReplacements: vmReplacementsFromJournal(nodeEntries, name),
      leftCordoned: cordonedNodes.has(name),
      ...(drain ? { drain } : {}),
      steps,
    });
  }
  const clusterRow = { name: 'cluster', role: 'cluster', steps: clusterPlanSteps };
  const timeline = buildTimeline({
    entries,
    rows: [
      ...(clusterPlanSteps.length > 0 ? [clusterRow] : []),
      ...nodes.map((n) => ({ name: n.name, role: n.role, steps: unitSteps.get(n.name) ?? [] })),
    ],
    origin: runStart,
    finishedAt: input.finishedAt,
    lowerBoundSeconds: input.lowerBoundSeconds,
  });
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: plan.kind,
    cluster: plan.cluster,
    from: plan.from,
    to: plan.to,
    runId: input.runId,
    outcome: input.outcome,
    startedAt: iso(runStart) ?? '',
    finishedAt: iso(input.finishedAt) ?? '',
    durationSeconds: round((input.finishedAt - runStart) / 1000),
    lowerBoundSeconds: round(input.lowerBoundSeconds),
    baselineSeconds: round(baselineSeconds(plan, input.durations ?? DEFAULT_STEP_DURATIONS)),
    resumed: runStarts.length > 1 || runStarts.some((e) => e.data?.resumed === true),
    failure: input.failure,
    clusterSteps: clusterPlanSteps.flatMap((s) => stepReport(s, stepEntries(s)) ?? []),
    nodes,
    notes: input.notes,
    violations: input.violations,
    invariantsObserved: input.invariantsObserved === true,
    mixedVersions: mixedVersionsOf(plan, inventory, entries),
    timeline,
  };
}

const duration = (seconds: number): string => {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m ${s % 60}s` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
};

/** The header line: which versions changed, and how the nodes get there. */
export function whatChanged(report: Pick<UpgradeReport, 'kind' | 'from' | 'to'>): string {
  const change = `${report.from} → ${report.to}`;
  if (report.kind === 'kubernetes') return `Kubernetes ${change} (talosctl upgrade-k8s)`;
  if (report.kind === 'pets') return `Talos ${change}: nodes upgraded in place`;
  return `Talos ${change}: node VMs recreated from new templates`;
}

/** The title of the timeline chart and SVG. */
export function timelineTitle(
  report: Pick<UpgradeReport, 'kind' | 'from' | 'to' | 'cluster' | 'outcome'>,
): string {
  const what = report.kind === 'kubernetes' ? 'Kubernetes' : 'Talos';
  return `${report.cluster} ${report.kind} upgrade, ${what} ${report.from} to ${report.to}, ${report.outcome}`;
}

/** A Markdown summary for a terminal, a pull request comment or GITHUB_STEP_SUMMARY. */
export function reportToMarkdown(report: UpgradeReport, options: { chart?: boolean } = {}): string {
  const lines: string[] = [];
  const icon = report.outcome === 'succeeded' ? '✅' : report.outcome === 'aborted' ? '⏹️' : '❌';
  lines.push(`## ${icon} Drover ${report.kind} upgrade of ${report.cluster}: ${report.outcome}`);
  lines.push('');
  lines.push(`${whatChanged(report)}${report.resumed ? ' (resumed)' : ''}`);
  lines.push('');
  lines.push(
    `Duration ${duration(report.durationSeconds)} (lower bound ${duration(report.lowerBoundSeconds)}).`,
  );
  // Talos versions: a Kubernetes run never has them (mixedVersionsOf), whatever the field says.
  if (report.mixedVersions && report.kind !== 'kubernetes')
    lines.push('', mixedVersionsLine(report.mixedVersions));
  if (report.failure) {
    const f = report.failure;
    lines.push('');
    lines.push(
      `**Stopped at** \`${f.stepId}\`${f.node ? ` on **${f.node}**` : ''}: [${f.code}] ${f.message}`,
    );
    if (f.hint) lines.push(`Hint: ${f.hint}`);
  }
  lines.push('');
  lines.push('| node | role | host | outcome | VM replacements | drain (evicted/forced) | time |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const n of report.nodes) {
    const time = n.steps.reduce((sum, s) => sum + s.durationSeconds, 0);
    const drain = n.drain ? `${n.drain.evicted}/${n.drain.forced}` : '-';
    const outcome = n.leftCordoned ? `${n.outcome} (left cordoned)` : n.outcome;
    lines.push(
      `| ${n.name} | ${n.role} | ${n.host} | ${outcome} | ${n.vmReplacements} | ${drain} | ${duration(time)} |`,
    );
  }
  if (report.notes.length > 0) {
    lines.push('');
    lines.push('Notes:');
    for (const note of report.notes) lines.push(`- ${note}`);
  }
  lines.push('');
  if (options.chart !== false) {
    // A Mermaid gantt: GitHub draws it; a terminal would only show its source.
    const chart = timelineToMermaid(report.timeline, timelineTitle(report));
    lines.push(
      chart ??
        `Timeline: ${report.timeline.rows.length} rows are too many for a chart here; see the SVG written beside --report.`,
    );
    lines.push('');
  }
  if (report.violations.length === 0)
    lines.push(
      report.invariantsObserved
        ? 'Invariant violations: none.'
        : 'Invariant violations: not observed (a real run has no invariant checker; the journal and audit log record what was done).',
    );
  else {
    lines.push(`**Invariant violations: ${report.violations.length}**`);
    for (const v of report.violations) lines.push(`- ${v.invariant}: ${v.message}`);
  }
  return `${lines.join('\n')}\n`;
}
