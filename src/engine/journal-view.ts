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

/**
 * What isStepDone, startsOf and hasAnyEntry ask, kept per journal array and brought up to date
 * with only the entries appended since (the journal is append-only): the engine asks per step
 * of every unit, so rescanning the whole journal each time made a run's cost grow with N^2.
 * An entry counts as effectiveEntries says: not before its node's last restore note, not
 * before its step's last undo note. The latest entry of a step is then the one to judge: the
 * earlier ones fall before the same thresholds.
 */
interface JournalIndex {
  seen: number;
  first: JournalEntry | undefined;
  lastRestore: Map<string, number>;
  undoneAt: Map<string, number>;
  /** Index of the step's latest step-finished entry that succeeded or was skipped. */
  lastDone: Map<string, number>;
  /** Index of the step's latest step-* entry of any kind. */
  lastStepEntry: Map<string, number>;
  starts: Map<string, number[]>;
}

const journalIndexes = new WeakMap<JournalEntry[], JournalIndex>();

function journalIndex(all: JournalEntry[]): JournalIndex {
  let index = journalIndexes.get(all);
  // A shorter journal, or another first entry, is not the one indexed: start over.
  if (!index || index.seen > all.length || index.first !== all[0]) {
    index = {
      seen: 0,
      first: all[0],
      lastRestore: new Map(),
      undoneAt: new Map(),
      lastDone: new Map(),
      lastStepEntry: new Map(),
      starts: new Map(),
    };
    journalIndexes.set(all, index);
  }
  for (let i = index.seen; i < all.length; i++) {
    const e = all[i];
    if (!e) continue;
    if (e.type === 'note') {
      if (e.node !== undefined && e.data?.restored === true) index.lastRestore.set(e.node, i);
      const undone = e.data?.undoneSteps;
      if (Array.isArray(undone))
        for (const id of undone) if (typeof id === 'string') index.undoneAt.set(id, i);
    }
    if (e.stepId === undefined || !e.type.startsWith('step-')) continue;
    index.lastStepEntry.set(e.stepId, i);
    if (e.type === 'step-finished' && (e.outcome === 'succeeded' || e.outcome === 'skipped'))
      index.lastDone.set(e.stepId, i);
    if (e.type === 'step-started') {
      const list = index.starts.get(e.stepId);
      if (list) list.push(i);
      else index.starts.set(e.stepId, [i]);
    }
  }
  index.seen = all.length;
  return index;
}

/** Entry i (of step `stepId`) still counts: effectiveEntries keeps it. */
function stillCounts(all: JournalEntry[], index: JournalIndex, i: number, stepId: string): boolean {
  const node = all[i]?.node;
  const restoredAt = node === undefined ? undefined : index.lastRestore.get(node);
  if (restoredAt !== undefined && i < restoredAt) return false;
  const undone = index.undoneAt.get(stepId);
  return undone === undefined || i > undone;
}

export function isStepDone(all: JournalEntry[], stepId: string): boolean {
  const index = journalIndex(all);
  const i = index.lastDone.get(stepId);
  return i !== undefined && stillCounts(all, index, i, stepId);
}

export function startsOf(all: JournalEntry[], stepId: string): JournalEntry[] {
  const index = journalIndex(all);
  return (index.starts.get(stepId) ?? [])
    .filter((i) => stillCounts(all, index, i, stepId))
    .flatMap((i) => all[i] ?? []);
}

export function hasAnyEntry(all: JournalEntry[], stepIds: string[]): boolean {
  const index = journalIndex(all);
  return stepIds.some((id) => {
    const i = index.lastStepEntry.get(id);
    return i !== undefined && stillCounts(all, index, i, id);
  });
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
