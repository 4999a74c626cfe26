/**
 * The run as a picture's data: one row per node (and one for cluster-wide steps), each step
 * attempt a bar from its journal start to its finish, coloured by what kind of step it is,
 * the idle time between a node's steps (waiting for its turn, a budget or a retry), the
 * resumes, and the lower bound. Pure: built from journal entries only, across resumes.
 * Times are seconds from the first run start.
 */
import type { PlanStep, StepAction } from './plan.js';

export const STEP_KINDS = [
  'template',
  'gate',
  'drain',
  'state',
  'storage',
  'replace',
  'config',
  'wait',
  'other',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

// Partial: an action added later is drawn as `other` until it is given a kind here.
const KIND_OF: Partial<Record<StepAction, StepKind>> = {
  'rebuild-template': 'template',
  'verify-templates': 'template',
  'gate-etcd': 'gate',
  'gate-api-stable': 'gate',
  'gate-health': 'gate',
  'post-checks': 'gate',
  'verify-version': 'gate',
  'validate-cluster': 'gate',
  cordon: 'drain',
  drain: 'drain',
  uncordon: 'drain',
  'backup-state': 'state',
  'check-replace-plan': 'state',
  'storage-noout-set': 'storage',
  'storage-noout-unset': 'storage',
  'etcd-leave': 'replace',
  'replace-vm': 'replace',
  'talos-upgrade': 'replace',
  'k8s-upgrade': 'replace',
  'apply-config': 'config',
  'wait-maintenance': 'wait',
  'wait-ready': 'wait',
  'wait-etcd-rejoin': 'wait',
  'wait-gpu': 'wait',
};

/** What a step does, for colouring. */
export function stepKind(action: string): StepKind {
  return (KIND_OF as Record<string, StepKind | undefined>)[action] ?? 'other';
}

/** How a bar ended: a step outcome, or `interrupted` when its run stopped without finishing it. */
export type BarOutcome = 'succeeded' | 'failed' | 'skipped' | 'aborted' | 'interrupted';

export interface TimelineBar {
  stepId: string;
  /** Short name within its row: the action, or what tells two steps of one action apart. */
  label: string;
  action: string;
  kind: StepKind;
  attempt: number;
  start: number;
  end: number;
  outcome: BarOutcome;
}

export interface TimelineRow {
  /** A node name, or `cluster` for cluster-wide steps. */
  name: string;
  role: string;
  bars: TimelineBar[];
  /** Gaps between the row's bars: the node started but waited (turn, budget, retry, resume). */
  waits: { start: number; end: number }[];
}

export interface Timeline {
  /** ISO time of second 0 (the first run start). */
  origin: string;
  durationSeconds: number;
  lowerBoundSeconds: number;
  /** Each run over the journal: the first, then one per resume. */
  runs: { start: number; resumed: boolean }[];
  rows: TimelineRow[];
}

export interface TimelineEntry {
  type: string;
  at: number;
  stepId?: string;
  action?: string;
  outcome?: string;
  attempt?: number;
  data?: Record<string, unknown>;
}

export interface TimelineInput {
  entries: TimelineEntry[];
  /** Rows in plan order: node name, role, and the plan steps of the row. */
  rows: { name: string; role: string; steps: PlanStep[] }[];
  origin: number;
  finishedAt: number;
  lowerBoundSeconds: number;
}

const OUTCOMES: readonly string[] = ['succeeded', 'failed', 'skipped', 'aborted'];
const round = (seconds: number): number => Math.round(seconds * 10) / 10;

type RawBar = Omit<TimelineBar, 'label'>;

/** Every attempt of every step, from the journal: start to finish, or to where its run stopped. */
function attempts(input: TimelineInput): {
  bars: Map<string, RawBar[]>;
  runs: Timeline['runs'];
} {
  const rel = (at: number) => round((at - input.origin) / 1000);
  const bars = new Map<string, RawBar[]>();
  const open = new Map<string, { start: number; action: string; attempt: number }>();
  const runs: Timeline['runs'] = [];
  const push = (stepId: string, bar: Omit<RawBar, 'stepId' | 'kind'>) => {
    const list = bars.get(stepId) ?? [];
    list.push({ stepId, kind: stepKind(bar.action), ...bar });
    bars.set(stepId, list);
  };
  const closeOpen = (at: number) => {
    for (const [stepId, o] of open)
      push(stepId, { ...o, start: rel(o.start), end: rel(at), outcome: 'interrupted' });
    open.clear();
  };
  let lastAt = input.origin;
  for (const entry of input.entries) {
    if (entry.type === 'run-started') {
      // A new run while steps are open: the previous run stopped (crashed) after its last entry.
      closeOpen(lastAt);
      runs.push({ start: rel(entry.at), resumed: runs.length > 0 || entry.data?.resumed === true });
    } else if (entry.type === 'step-started' && entry.stepId) {
      const previous = open.get(entry.stepId);
      if (previous)
        push(entry.stepId, {
          ...previous,
          start: rel(previous.start),
          end: rel(entry.at),
          outcome: 'interrupted',
        });
      open.set(entry.stepId, {
        start: entry.at,
        action: entry.action ?? '',
        attempt: entry.attempt ?? (bars.get(entry.stepId)?.length ?? 0) + 1,
      });
    } else if (entry.type === 'step-finished' && entry.stepId) {
      const o = open.get(entry.stepId);
      open.delete(entry.stepId);
      push(entry.stepId, {
        action: entry.action ?? o?.action ?? '',
        attempt: o?.attempt ?? entry.attempt ?? 1,
        start: rel(o?.start ?? entry.at),
        end: rel(entry.at),
        outcome: OUTCOMES.includes(entry.outcome ?? '')
          ? (entry.outcome as BarOutcome)
          : 'interrupted',
      });
    }
    lastAt = Math.max(lastAt, entry.at);
  }
  closeOpen(Math.max(lastAt, input.finishedAt));
  return { bars, runs };
}

function labelOf(step: PlanStep, row: string): string {
  if (step.action === 'k8s-upgrade' && step.params.dryRun) return `${step.action} (dry run)`;
  if (step.id === `${row}/${step.action}`) return step.action;
  return step.id.replace(/^cluster\//, '');
}

function waitsBetween(bars: TimelineBar[]): TimelineRow['waits'] {
  const waits: TimelineRow['waits'] = [];
  const sorted = [...bars].sort((a, b) => a.start - b.start);
  let reached = sorted[0]?.end ?? 0;
  for (const bar of sorted) {
    if (bar.start > reached) waits.push({ start: reached, end: bar.start });
    reached = Math.max(reached, bar.end);
  }
  return waits;
}

export function buildTimeline(input: TimelineInput): Timeline {
  const { bars, runs } = attempts(input);
  const rows = input.rows.map(({ name, role, steps }) => {
    const mine = steps
      .flatMap((s) => (bars.get(s.id) ?? []).map((bar) => ({ ...bar, label: labelOf(s, name) })))
      .sort((a, b) => a.start - b.start);
    // Cluster-wide steps sit at both ends of the run by design: the gap between is not waiting.
    return { name, role, bars: mine, waits: role === 'cluster' ? [] : waitsBetween(mine) };
  });
  return {
    origin: new Date(input.origin).toISOString(),
    durationSeconds: round((input.finishedAt - input.origin) / 1000),
    lowerBoundSeconds: round(input.lowerBoundSeconds),
    runs,
    rows,
  };
}
