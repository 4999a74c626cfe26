/**
 * The per-step and per-node parts of the upgrade report, read from the journal: a step's first
 * start to its last finish across attempts and resumes, a node's outcome from its steps.
 */
import { findNode, type Inventory } from './inventory.js';
import type { Plan, PlanStep, StepAction } from './plan.js';
import { LEAD_IN_ACTIONS } from './lead-in.js';
import type { NodeOutcome, NodeReport, ReportJournalEntry, StepReport } from './report.js';

export const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

export const round = (seconds: number): number => Math.round(seconds * 10) / 10;

export function stepReport(step: PlanStep, entries: ReportJournalEntry[]): StepReport | undefined {
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
  // Only its lead-in ran (core/lead-in.ts: its backup, while the node before booted): its cycle
  // never started, the node is as it was.
  if (steps.every((s) => LEAD_IN_ACTIONS.has(s.name as StepAction) && s.outcome === 'succeeded'))
    return 'not-started';
  if (steps.some((s) => s.outcome === 'failed')) return 'failed';
  if (steps.some((s) => s.outcome === 'aborted')) return 'aborted';
  if (steps.length < total || steps.some((s) => s.outcome === 'incomplete')) return 'incomplete';
  if (steps.every((s) => s.outcome === 'skipped')) return 'already-at-target';
  return 'succeeded';
}

export function groupEntries(
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

/** Each node's plan steps, across phases, in plan order. */
export function unitStepsOf(plan: Plan): Map<string, PlanStep[]> {
  const unitSteps = new Map<string, PlanStep[]>();
  for (const phase of plan.phases)
    for (const unit of phase.units)
      unitSteps.set(unit.node, [...(unitSteps.get(unit.node) ?? []), ...unit.steps]);
  return unitSteps;
}

export interface NodeReportInput {
  plan: Plan;
  inventory: Inventory;
  /** The node's own journal entries. */
  nodeEntries: ReportJournalEntry[];
  stepEntries: (step: PlanStep) => ReportJournalEntry[];
  leftCordoned: boolean;
}

export function nodeReport(
  name: string,
  planSteps: PlanStep[],
  input: NodeReportInput,
): NodeReport {
  const { plan, nodeEntries } = input;
  const node = findNode(input.inventory, name);
  const steps = planSteps.flatMap((s) => stepReport(s, input.stepEntries(s)) ?? []);
  const mine = nodeEntries.filter((e) => e.type.startsWith('step-'));
  const drain = drainCounts(nodeEntries, name);
  const outcome = nodeOutcome(steps, planSteps.length);
  const lastFinished = [...mine].reverse().find((e) => e.type === 'step-finished');
  return {
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
    leftCordoned: input.leftCordoned,
    ...(drain ? { drain } : {}),
    steps,
  };
}

/** What the node's successful drain evicted and forced, if it recorded it. */
function drainCounts(
  nodeEntries: ReportJournalEntry[],
  name: string,
): { evicted: number; forced: number } | undefined {
  const drainEntry = nodeEntries.find(
    (e) =>
      e.type === 'step-finished' &&
      e.node === name &&
      e.action === 'drain' &&
      e.outcome === 'succeeded',
  );
  return drainEntry?.data && typeof drainEntry.data.evicted === 'number'
    ? { evicted: drainEntry.data.evicted, forced: Number(drainEntry.data.forced ?? 0) }
    : undefined;
}
