/**
 * The end of every run that took the lock: gives the lock back, journals run-finished and builds
 * the report from the journal.
 */
import { mixedVersionsOf } from '../core/mixed-versions.js';
import { buildReport } from '../core/report.js';
import type { UpgradeReport } from '../core/report.js';
import { selectionNotes } from '../core/selection.js';
import { releaseLock } from './cluster-lock.js';
import type { RunState } from './context.js';
import { hookNotes } from './run-hooks.js';
import type { RunEnd } from './run-stop.js';
import type { RunUpgradeOptions } from './run-upgrade-options.js';

/** Never throws for the lock or the journal: the outcome is already known, and said in `notes`. */
export async function finishRun(
  run: RunState,
  options: RunUpgradeOptions,
  closing: { end: RunEnd; notes: string[]; ttl: number; lowerBound: number },
): Promise<UpgradeReport> {
  const { plan, inventory, ports, redactor } = options;
  const { notes, ttl } = closing;
  const { outcome, failure } = closing.end;
  const unreleased = await releaseLock(options, ttl);
  if (unreleased) notes.push(unreleased);
  notes.push(...selectionNotes(plan, outcome === 'succeeded'));
  const mixedVersions = mixedVersionsOf(plan, inventory, run.entries);
  const finishedAt = ports.clock.now();
  await ports.journal
    .append(
      redactor.redactValue({
        type: 'run-finished',
        at: finishedAt,
        runId: options.runId,
        outcome,
        ...(failure ? { code: failure.code, message: failure.message } : {}),
        ...(mixedVersions ? { data: { mixedVersions } } : {}),
      }),
    )
    .catch(() => notes.push('could not append run-finished to the journal'));
  ports.reporter.event({ type: 'run-finished', at: finishedAt, outcome });
  return redactor.redactValue(
    buildReport({
      plan,
      inventory,
      runId: options.runId,
      entries: run.entries,
      outcome,
      finishedAt,
      lowerBoundSeconds: closing.lowerBound,
      durations: options.durations,
      failure,
      notes: [...notes, ...hookNotes(run.entries)],
      violations: [],
      invariantsObserved: options.invariantsObserved === true,
    }),
  );
}
