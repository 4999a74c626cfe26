/**
 * Runs a plan through the ports: takes the cluster lock, journals every step before and after
 * it acts, runs the phases, stops at the first failure (or on abort), puts back what is safe to
 * put back, releases the lock and builds the report from the journal.
 */
import { lowerBoundSeconds } from '../core/lower-bound.js';
import { checkPlan } from '../core/plan-check.js';
import type { UpgradeReport } from '../core/report.js';
import type { JournalEntry } from '../ports/journal.js';
import { cleanUpAfterStop } from './cleanup.js';
import { acquireLock, DEFAULT_LOCK_TTL_SECONDS } from './cluster-lock.js';
import type { RunState } from './context.js';
import { checkJournalMatchesPlan } from './journal-plan-match.js';
import { dryRunReport } from './dry-run.js';
import { startLockRenewal } from './lock-renewal.js';
import { runPhase } from './run-phase.js';
import { awaitWindow, checkWindowsLongEnough, halfDoneNodes, windowGuard } from './window-gate.js';
import { closeRunExtras } from './run-extras.js';
import type { RunExtras } from './run-extras.js';
import { finishRun } from './run-finish.js';
import { journalRunStarted, prepareFirstNode } from './run-start.js';
import { createRunState } from './run-state.js';
import { failureOf, stopRun } from './run-stop.js';
import type { RunEnd } from './run-stop.js';
import type { RunUpgradeOptions } from './run-upgrade-options.js';

export type { RunUpgradeOptions } from './run-upgrade-options.js';

/**
 * The maintenance window first, and only then the lock: a run waiting days for its window must
 * not hold the cluster. Returns this run's journal entries so far (resume) and the wait's note.
 */
async function awaitWindowThenReadJournal(
  options: RunUpgradeOptions,
): Promise<{ prior: JournalEntry[]; windowNote: string | undefined }> {
  const { plan, ports } = options;
  // Read before taking the lock: a journal that cannot be read must not leave the lock held.
  const readPrior = async () =>
    options.resume ? (await ports.journal.readAll()).filter((e) => e.runId === options.runId) : [];
  await checkWindowsLongEnough(options.maintenance, plan, options.durations, ports, readPrior);
  const windowNote = await awaitWindow(options.maintenance, ports, options.signal, async () =>
    halfDoneNodes(plan, await readPrior()),
  );
  const prior = await readPrior();
  checkJournalMatchesPlan(plan, prior);
  return { prior, windowNote };
}

/** The run's own abort signal: the caller's signal aborts it, and so does a lost lease. */
function runAbort(signal: AbortSignal | undefined): {
  controller: AbortController;
  unlink: () => void;
} {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return { controller, unlink: () => signal?.removeEventListener('abort', onAbort) };
}

/** Everything between run-started and the last phase; throws at the first stop. */
async function runPhases(
  run: RunState,
  options: RunUpgradeOptions,
  start: { prior: JournalEntry[]; takeover: string | undefined; extras: RunExtras },
  notes: string[],
): Promise<void> {
  await journalRunStarted(run, options, start.prior, start.takeover);
  await prepareFirstNode(run, start.extras, options.installerImagesSkipped, notes);
  for (const phase of options.plan.phases)
    await runPhase(run, phase, {
      ...(options.afterStep ? { afterStep: options.afterStep } : {}),
    });
}

export async function runUpgrade(options: RunUpgradeOptions): Promise<UpgradeReport> {
  const { plan, inventory, ports } = options;
  // Before the lock, the journal or any read: a step without its params never runs, and is
  // never taken as done (a replace-vm with nothing to replace would look replaced).
  checkPlan(plan);
  const lowerBound = lowerBoundSeconds(plan, inventory, options.durations);
  if (options.dryRun)
    return dryRunReport(plan, inventory, options.runId, ports.clock.now(), lowerBound);

  const { prior, windowNote } = await awaitWindowThenReadJournal(options);
  const ttl = options.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS;
  const takeover = await acquireLock(options, ttl);
  const abort = runAbort(options.signal);
  const run = createRunState(options, prior, abort.controller.signal);
  run.window = windowGuard(options.maintenance, options.durations, ports.clock, run.log);
  const notes: string[] = windowNote ? [windowNote] : [];
  if (takeover) {
    notes.push(takeover);
    run.log('warn', takeover);
  }
  const renewal = startLockRenewal(run, options.holderIdentity, ttl, (error) =>
    abort.controller.abort(error),
  );
  run.lease = renewal;

  let end: RunEnd = { outcome: 'succeeded', failure: null };
  const extras: RunExtras = { beforeRunStarted: false };
  try {
    await runPhases(run, options, { prior, takeover, extras }, notes);
  } catch (error) {
    end = stopRun(run, error, abort.controller.signal);
    notes.push(...(await cleanUpAfterStop(run)));
  } finally {
    abort.unlink();
    // After-run hook and silence expiry on every path, while the lock is still held.
    const closed = await closeRunExtras(run, extras, end.outcome);
    notes.push(...closed.notes);
    if (closed.failure && end.outcome === 'succeeded') {
      end = { outcome: 'failed', failure: failureOf(closed.failure, undefined) };
    }
    await renewal.stop();
  }
  return finishRun(run, options, { end, notes, ttl, lowerBound });
}
