/** What the journal says about steps: done, started-but-unfinished, and evidence for resume. */
import type { JournalEntry } from '../ports/journal.js';
import type { VerifiedBackup } from './context.js';

/**
 * Step entries that still count: when cleanup put a node back in service (a `note` with
 * data.restored), its earlier steps no longer hold (it is uncordoned again), so its cycle
 * starts over on resume; steps cleanup undid (data.undoneSteps, e.g. Ceph noout) run again.
 */
export function effectiveEntries(entries: JournalEntry[]): JournalEntry[] {
  const lastRestore = new Map<string, number>();
  const undoneAt = new Map<string, number>();
  entries.forEach((e, i) => {
    if (e.type !== 'note') return;
    if (e.node !== undefined && e.data?.restored === true) lastRestore.set(e.node, i);
    const undone = e.data?.undoneSteps;
    if (Array.isArray(undone))
      for (const id of undone) if (typeof id === 'string') undoneAt.set(id, i);
  });
  if (lastRestore.size === 0 && undoneAt.size === 0) return entries;
  return entries.filter((e, i) => {
    if (!e.type.startsWith('step-')) return true;
    const restoredAt = e.node === undefined ? undefined : lastRestore.get(e.node);
    if (restoredAt !== undefined && i < restoredAt) return false;
    const undone = e.stepId === undefined ? undefined : undoneAt.get(e.stepId);
    return undone === undefined || i > undone;
  });
}

export function isStepDone(all: JournalEntry[], stepId: string): boolean {
  const entries = effectiveEntries(all);
  return entries.some(
    (e) =>
      e.type === 'step-finished' &&
      e.stepId === stepId &&
      (e.outcome === 'succeeded' || e.outcome === 'skipped'),
  );
}

export function startsOf(all: JournalEntry[], stepId: string): JournalEntry[] {
  return effectiveEntries(all).filter((e) => e.type === 'step-started' && e.stepId === stepId);
}

export function hasAnyEntry(all: JournalEntry[], stepIds: string[]): boolean {
  const ids = new Set(stepIds);
  return effectiveEntries(all).some(
    (e) => e.stepId !== undefined && ids.has(e.stepId) && e.type.startsWith('step-'),
  );
}

/** The last verified backup recorded in the journal (the state's serial still decides). */
export function lastBackupOf(entries: JournalEntry[]): VerifiedBackup | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const backup = entries[i]?.data?.backup as VerifiedBackup | undefined;
    if (entries[i]?.type === 'step-finished' && backup && typeof backup.serial === 'number')
      return backup;
  }
  return undefined;
}

/** The run id of the newest run in a journal, for --resume. */
export function latestRunId(entries: JournalEntry[]): string | undefined {
  for (let i = entries.length - 1; i >= 0; i--)
    if (entries[i]?.type === 'run-started') return entries[i]?.runId;
  return undefined;
}

/** Whether the journal's latest run already finished successfully (nothing to resume). */
export function runSucceeded(entries: JournalEntry[], runId: string): boolean {
  return entries.some(
    (e) => e.runId === runId && e.type === 'run-finished' && e.outcome === 'succeeded',
  );
}

/**
 * A destructive port call (etcd leave, apply, upgrade) went out for `node` since it was last
 * put back: the note run-step journals right before such a call. A destructive step that
 * stopped before its call (a refused plan, a pre-act wait) changed nothing.
 */
export function destructiveCallMade(all: JournalEntry[], node: string): boolean {
  let made = false;
  for (const e of all) {
    if (e.type !== 'note' || e.node !== node) continue;
    if (e.data?.restored === true) made = false;
    else if (typeof e.data?.destructiveCall === 'string') made = true;
  }
  return made;
}
