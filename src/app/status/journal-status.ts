/**
 * Where a run is or stopped, from its journal alone (pure): the newest run's kind and target,
 * its outcome (or that it never finished), the step that failed, the steps started and never
 * finished (a crash inside them: resume re-checks the live state before acting), the nodes the
 * journal leaves cordoned, and, given the plan, what `--resume` would run next.
 */
import { effectiveEntries, isStepDone, latestRunId } from '../../engine/journal-view.js';
import type { Plan, PlanStep } from '../../core/plan.js';
import type { MixedVersions } from '../../core/mixed-versions.js';
import type { Selection } from '../../core/selection.js';
import type { JournalEntry } from '../../ports/journal.js';

export interface StepRef {
  stepId: string;
  node?: string;
  action?: string;
  at: number;
  message?: string;
  code?: string;
}

export interface JournalStatus {
  runId: string;
  kind?: string;
  from?: string;
  to?: string;
  startedAt: number;
  /** How many times the run was started (1 + resumes). */
  attempts: number;
  state: 'succeeded' | 'failed' | 'aborted' | 'unfinished';
  lastEntryAt: number;
  lastFinished?: StepRef;
  failed?: StepRef;
  /** Why the run stopped, from its run-finished entry (e.g. WINDOW_CLOSED at a window's end). */
  reason?: { code: string; message?: string };
  /** Started, never finished: the run died inside them. */
  interrupted: StepRef[];
  /** Cordoned by this run and not uncordoned since (per the journal). */
  cordoned: string[];
  /** A selected run (canary, --nodes, ...): what it asked for and the nodes it kept. */
  selection?: { requested: Selection; nodes: string[]; canary: boolean };
  /** The run ended with some nodes at the target and some not (from its run-finished entry). */
  mixedVersions?: MixedVersions;
  /** With the plan: the steps not done yet, in plan order. */
  remaining?: { count: number; next: StepRef[] };
}

export function journalStatus(all: JournalEntry[], plan?: Plan): JournalStatus | undefined {
  const runId = latestRunId(all);
  if (runId === undefined) return undefined;
  const entries = all.filter((e) => e.runId === runId);
  const effective = effectiveEntries(entries);
  const starts = entries.filter((e) => e.type === 'run-started');
  const first = starts[0]!;
  const finished = [...entries].reverse().find((e) => e.type === 'run-finished');
  const state = runState(entries, starts[starts.length - 1]!, finished);
  const stepFinishes = effective.filter((e) => e.type === 'step-finished');
  const failedEntry = [...stepFinishes]
    .reverse()
    .find((e) => e.outcome === 'failed' || e.outcome === 'aborted');
  const lastDone = [...stepFinishes]
    .reverse()
    .find((e) => e.outcome === 'succeeded' || e.outcome === 'skipped');
  return {
    runId,
    ...(first.kind !== undefined ? { kind: first.kind } : {}),
    ...(first.from !== undefined ? { from: first.from } : {}),
    ...(first.to !== undefined ? { to: first.to } : {}),
    startedAt: first.at,
    attempts: starts.length,
    state,
    lastEntryAt: entries[entries.length - 1]!.at,
    ...(lastDone ? { lastFinished: stepRef(lastDone) } : {}),
    ...(failedEntry && state !== 'succeeded' ? { failed: stepRef(failedEntry) } : {}),
    ...stopReason(finished, state),
    interrupted: interruptedSteps(effective, stepFinishes),
    cordoned: cordonedNodes(effective),
    ...selectionOf(first),
    ...(state !== 'unfinished' && finished?.data?.mixedVersions
      ? { mixedVersions: finished.data.mixedVersions as MixedVersions }
      : {}),
    ...(plan !== undefined ? { remaining: remainingSteps(entries, plan) } : {}),
  };
}

/** A run-finished before the latest (re)start belongs to an earlier attempt. */
function runState(
  entries: JournalEntry[],
  lastStart: JournalEntry,
  finished: JournalEntry | undefined,
): JournalStatus['state'] {
  return finished !== undefined &&
    finished.at >= lastStart.at &&
    entries.indexOf(finished) > entries.indexOf(lastStart)
    ? ((finished.outcome as JournalStatus['state'] | undefined) ?? 'unfinished')
    : 'unfinished';
}

function stepRef(e: JournalEntry): StepRef {
  return {
    stepId: e.stepId ?? '?',
    ...(e.node !== undefined ? { node: e.node } : {}),
    ...(e.action !== undefined ? { action: e.action } : {}),
    at: e.at,
    ...(e.message !== undefined ? { message: e.message } : {}),
    ...(e.code !== undefined ? { code: e.code } : {}),
  };
}

function stopReason(
  finished: JournalEntry | undefined,
  state: JournalStatus['state'],
): Pick<JournalStatus, 'reason'> {
  if (finished?.code === undefined || state === 'succeeded' || state === 'unfinished') return {};
  return {
    reason: { code: finished.code, ...(finished.message ? { message: finished.message } : {}) },
  };
}

function interruptedSteps(effective: JournalEntry[], stepFinishes: JournalEntry[]): StepRef[] {
  const finishedIds = new Set(stepFinishes.map((e) => e.stepId));
  const interrupted = new Map<string, StepRef>();
  for (const e of effective)
    if (e.type === 'step-started' && e.stepId !== undefined && !finishedIds.has(e.stepId))
      interrupted.set(e.stepId, stepRef(e));
  return [...interrupted.values()];
}

function remainingSteps(
  entries: JournalEntry[],
  plan: Plan,
): NonNullable<JournalStatus['remaining']> {
  const pending = planSteps(plan).filter((s) => !isStepDone(entries, s.id));
  return {
    count: pending.length,
    next: pending.slice(0, 3).map((s) => ({
      stepId: s.id,
      ...(s.node !== undefined ? { node: s.node } : {}),
      action: s.action,
      at: 0,
    })),
  };
}

function planSteps(plan: Plan): PlanStep[] {
  return plan.phases.flatMap((p) => [...p.steps, ...p.units.flatMap((u) => u.steps)]);
}

function cordonedNodes(entries: JournalEntry[]): string[] {
  const cordoned = new Set<string>();
  for (const e of entries) {
    if (e.node === undefined) continue;
    // A node cleanup put back in service is uncordoned again.
    if (e.type === 'note' && e.data?.restored === true) cordoned.delete(e.node);
    if (e.type !== 'step-finished') continue;
    if (e.outcome !== 'succeeded' && e.outcome !== 'skipped') continue;
    if (e.action === 'cordon') cordoned.add(e.node);
    if (e.action === 'uncordon') cordoned.delete(e.node);
  }
  return [...cordoned].sort();
}

function selectionOf(started: JournalEntry): Pick<JournalStatus, 'selection'> {
  const recorded = started.data?.selection as JournalStatus['selection'] | undefined;
  if (recorded === undefined) return {};
  return {
    selection: {
      requested: recorded.requested ?? {},
      nodes: recorded.nodes ?? [],
      canary: recorded.canary === true,
    },
  };
}
