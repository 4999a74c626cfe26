/**
 * The append-only record of every step's start and end: ground truth for resume and report.
 * An entry is durable once append() resolves.
 */
import type { StepAction, UpgradeKind } from '../core/plan.js';

export const JOURNAL_ENTRY_TYPES = [
  'run-started',
  'step-started',
  'step-finished',
  'run-finished',
  'note',
] as const;
export type JournalEntryType = (typeof JOURNAL_ENTRY_TYPES)[number];

export const STEP_OUTCOMES = ['succeeded', 'failed', 'skipped', 'aborted'] as const;
export type StepOutcome = (typeof STEP_OUTCOMES)[number];

export const RUN_OUTCOMES = ['succeeded', 'failed', 'aborted'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export interface JournalEntry {
  type: JournalEntryType;
  /** Epoch ms, from the run's clock. */
  at: number;
  runId: string;
  kind?: UpgradeKind;
  from?: string;
  to?: string;
  stepId?: string;
  node?: string;
  action?: StepAction;
  outcome?: StepOutcome | RunOutcome;
  /** Redacted, short. */
  message?: string;
  code?: string;
  attempt?: number;
  data?: Record<string, unknown>;
}

export interface JournalStore {
  append(entry: JournalEntry): Promise<void>;
  readAll(): Promise<JournalEntry[]>;
}
