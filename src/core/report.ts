/**
 * The upgrade report, built from the journal (the ground truth, across resumes), the plan and
 * the inventory; plus a Markdown summary. Pure: times come from journal entries.
 */
import { baselineSeconds } from './baseline.js';
import { DEFAULT_STEP_DURATIONS } from './durations.js';
import type { StepDurations } from './durations.js';
import type { Inventory } from './inventory.js';
import type { Plan, PlanStep, UpgradeKind } from './plan.js';
import { mixedVersionsOf } from './mixed-versions.js';
import type { MixedVersions } from './mixed-versions.js';
import { buildTimeline } from './timeline.js';
import type { Timeline } from './timeline.js';
import type { InvariantName } from './invariants.js';
import { groupEntries, iso, nodeReport, round, stepReport, unitStepsOf } from './report-nodes.js';

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

export function buildReport(input: ReportInput): UpgradeReport {
  const { plan, inventory, entries } = input;
  const runStart = entries.find((e) => e.type === 'run-started')?.at ?? input.finishedAt;
  const runStarts = entries.filter((e) => e.type === 'run-started');
  const unitSteps = unitStepsOf(plan);
  const clusterPlanSteps = plan.phases.flatMap((p) => p.steps);
  const cordonedNodes = new Set(
    entries.filter((e) => e.type === 'note' && e.data?.leftCordoned === true).map((e) => e.node),
  );

  // Entries by step and by node, grouped once: a 1,000-node journal read per step is slow.
  const byStep = groupEntries(entries, (e) => e.stepId);
  const byNode = groupEntries(entries, (e) => e.node);
  const stepEntries = (s: PlanStep) => byStep.get(s.id) ?? [];

  const nodes = [...unitSteps].map(([name, planSteps]) =>
    nodeReport(name, planSteps, {
      plan,
      inventory,
      nodeEntries: byNode.get(name) ?? [],
      stepEntries,
      leftCordoned: cordonedNodes.has(name),
    }),
  );
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
