/**
 * Runs a plan through the ports: takes the cluster lock, journals every step before and after
 * it acts, runs the phases, stops at the first failure (or on abort), puts back what is safe to
 * put back, releases the lock and builds the report from the journal.
 */
import type { StepDurations } from '../core/durations.js';
import { DroverError, isDroverError } from '../core/errors.js';
import type { Inventory } from '../core/inventory.js';
import { lowerBoundSeconds } from '../core/lower-bound.js';
import type { Plan } from '../core/plan.js';
import { checkPlan } from '../core/plan-check.js';
import type { Redactor } from '../core/redact.js';
import { buildReport } from '../core/report.js';
import { mixedVersionsOf } from '../core/mixed-versions.js';
import { selectionNotes } from '../core/selection.js';
import type { ReportFailure, ReportOutcome, UpgradeReport } from '../core/report.js';
import type { Ports } from '../ports/index.js';
import type { JournalEntry } from '../ports/journal.js';
import { cleanUpAfterStop } from './cleanup.js';
import type { AuditRecord, CustomCheck, RunState } from './context.js';
import { kubernetesRoles } from './context.js';
import { checkInstallerImages, prePullInstallerImages } from './installer-images.js';
import { checkStoragePools } from './storage-cap.js';
import { lastBackupOf } from './journal-view.js';
import { checkJournalMatchesPlan } from './journal-plan-match.js';
import { Mutex } from './mutex.js';
import { reportLeftoverNoout } from './noout-count.js';
import { dryRunReport } from './dry-run.js';
import { startLockRenewal } from './lock-renewal.js';
import { asDroverError, StepFailure } from './run-step.js';
import { runPhase } from './run-phase.js';
import { UnitStopped } from './run-unit.js';
import type { MaintenancePolicy } from '../core/maintenance-window-grammar.js';
import { awaitWindow, checkWindowsLongEnough, halfDoneNodes, windowGuard } from './window-gate.js';
import { closeRunExtras, openRunExtras } from './run-extras.js';
import type { RunExtras } from './run-extras.js';
import { hookNotes } from './run-hooks.js';

export interface RunUpgradeOptions {
  plan: Plan;
  inventory: Inventory;
  ports: Ports;
  durations: StepDurations;
  runId: string;
  holderIdentity: string;
  resume: boolean;
  dryRun?: boolean;
  signal?: AbortSignal;
  redactor: Redactor;
  afterStep?: (entry: JournalEntry) => void | Promise<void>;
  /** Receives every port action with its (redacted) inputs: the audit log. */
  audit?: (record: AuditRecord) => void;
  /** Custom gates by name (`custom:<name>` in plans); see RunState.customChecks. */
  customChecks?: Record<string, CustomCheck>;
  /** What the journal is bound to (hashes of cluster, config, plan), recorded in run-started. */
  binding?: Record<string, string>;
  /** A checker watches the invariants (simulate): the report may then say "none violated". */
  invariantsObserved?: boolean;
  /** Lease TTL; renewed every third of it. */
  lockTtlSeconds?: number;
  /** Maintenance windows (window-gate.ts); none: the run may act at any time. */
  maintenance?: MaintenancePolicy;
  /** Why installer images are not looked up (preflight.installerImages: skip); said in the report. */
  installerImagesSkipped?: string;
}

// Long enough that renewals stay rare over a multi-hour run; a crashed holder blocks others this long
// (the same run resuming gets it back at once: same identity).
export const DEFAULT_LOCK_TTL_SECONDS = 300;

async function acquireLock(options: RunUpgradeOptions, ttl: number): Promise<string | undefined> {
  const result = await options.ports.lock.acquire(options.holderIdentity, ttl);
  if (!result.acquired) {
    const { holder } = result;
    const renewed =
      holder.renewedAt === undefined
        ? 'never renewed'
        : `last renewed ${new Date(holder.renewedAt).toISOString()}`;
    throw new DroverError(
      'refused',
      'LOCK_HELD',
      `another upgrade holds the cluster lock: ${holder.identity} (${renewed}, TTL ${holder.ttlSeconds}s)`,
      {
        hint: 'One upgrade per cluster at a time. Wait for it to finish; a crashed holder is taken over once its TTL passes.',
        details: {
          holder: holder.identity,
          renewedAt: holder.renewedAt ?? null,
          ttlSeconds: holder.ttlSeconds,
        },
      },
    );
  }
  if (result.tookOverFrom) {
    const from = result.tookOverFrom;
    return `took over the cluster lock from ${from.identity}, whose lease expired (${from.ttlSeconds}s TTL, last renewed ${from.renewedAt === undefined ? 'never' : new Date(from.renewedAt).toISOString()})`;
  }
  return undefined;
}

function failureOf(error: DroverError, step: StepFailure['step'] | undefined): ReportFailure {
  return {
    stepId: step?.id ?? 'run',
    node: step?.node ?? null,
    action: step?.action ?? 'run',
    code: error.code,
    category: error.category,
    message: error.message,
    hint:
      error.hint ??
      (error.category === 'aborted'
        ? 'Run again with --resume to continue from the journal.'
        : `Fix the cause of ${error.code}, then run again with --resume: the journal records where it stopped.`),
  };
}

export async function runUpgrade(options: RunUpgradeOptions): Promise<UpgradeReport> {
  const { plan, inventory, ports, redactor } = options;
  // Before the lock, the journal or any read: a step without its params never runs, and is
  // never taken as done (a replace-vm with nothing to replace would look replaced).
  checkPlan(plan);
  const lowerBound = lowerBoundSeconds(plan, inventory, options.durations);
  if (options.dryRun)
    return dryRunReport(plan, inventory, options.runId, ports.clock.now(), lowerBound);

  // Read before taking the lock: a journal that cannot be read must not leave the lock held.
  const readPrior = async () =>
    options.resume ? (await ports.journal.readAll()).filter((e) => e.runId === options.runId) : [];
  await checkWindowsLongEnough(options.maintenance, plan, options.durations, ports, readPrior);
  const windowNote = await awaitWindow(options.maintenance, ports, options.signal, async () =>
    halfDoneNodes(plan, await readPrior()),
  );
  const prior = await readPrior();
  checkJournalMatchesPlan(plan, prior);
  const ttl = options.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS;
  const takeover = await acquireLock(options, ttl);
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  // The engine holds Kubernetes by role only (context.ts): each module reaches what it needs.
  const { kubernetes, ...enginePorts } = ports;
  const run: RunState = {
    plan,
    inventory,
    policy: plan.policy,
    ports: enginePorts,
    kubernetes: kubernetesRoles(kubernetes),
    durations: options.durations,
    runId: options.runId,
    redactor,
    signal: controller.signal,
    stateMutex: new Mutex(),
    entries: [...prior],
    lastVerifiedBackup: lastBackupOf(prior),
    customChecks: options.customChecks ?? {},
    inFlightNodes: new Set(),
    stopRequested: false,
    audit: (record) =>
      options.audit?.(
        redactor.redactValue({ ...record, at: ports.clock.now(), runId: options.runId }),
      ),
    log: (level, message, node) =>
      ports.reporter.event({
        type: 'log',
        at: ports.clock.now(),
        level,
        message: redactor.redact(message),
        ...(node ? { node } : {}),
      }),
  };
  run.window = windowGuard(options.maintenance, options.durations, ports.clock, run.log);
  const notes: string[] = windowNote ? [windowNote] : [];
  if (takeover) {
    notes.push(takeover);
    run.log('warn', takeover);
  }
  const renewal = startLockRenewal(run, options.holderIdentity, ttl, (error) =>
    controller.abort(error),
  );
  run.lease = renewal;

  let outcome: ReportOutcome = 'succeeded';
  let failure: ReportFailure | null = null;
  const extras: RunExtras = { beforeRunStarted: false };
  try {
    const resumed = options.resume && prior.some((e) => e.type === 'run-started');
    await ports.journal.append(
      redactor.redactValue({
        type: 'run-started',
        at: ports.clock.now(),
        runId: options.runId,
        kind: plan.kind,
        from: plan.from,
        to: plan.to,
        data: {
          resumed,
          holder: options.holderIdentity,
          cluster: plan.cluster,
          ...(options.binding ? { binding: options.binding } : {}),
          ...(takeover ? { takeover } : {}),
          // A selected run (core/selection.ts): a later full run starts afresh after it.
          ...(plan.selection
            ? {
                selection: {
                  requested: plan.selection.requested,
                  nodes: plan.selection.nodes,
                  canary: plan.selection.canary,
                },
              }
            : {}),
        },
      }),
    );
    run.entries.push({
      type: 'run-started',
      at: ports.clock.now(),
      runId: options.runId,
      data: { resumed },
    });
    ports.reporter.event({
      type: 'run-started',
      at: ports.clock.now(),
      kind: plan.kind,
      from: plan.from,
      to: plan.to,
      cluster: plan.cluster,
      resumed,
    });
    for (const note of await reportLeftoverNoout(run)) {
      notes.push(note);
      run.log('warn', note);
    }
    await openRunExtras(run, extras);
    // Before the first node: installer images exist (refused otherwise), then pre-pulled.
    for (const note of [
      // Ceph: a pool that tolerates nothing refuses before the first node; a capped policy is said.
      ...(await checkStoragePools(run)),
      ...(await checkInstallerImages(run, options.installerImagesSkipped)),
      ...(await prePullInstallerImages(run)),
    ]) {
      notes.push(note);
      run.log('info', note);
    }
    for (const phase of plan.phases)
      await runPhase(run, phase, {
        ...(options.afterStep ? { afterStep: options.afterStep } : {}),
      });
  } catch (error) {
    run.stopRequested = true;
    const stepFailure = error instanceof StepFailure ? error : undefined;
    const cause =
      error instanceof UnitStopped
        ? new DroverError('failed', 'STOPPED', error.message)
        : (stepFailure?.error ?? asDroverError(error));
    const aborted =
      cause.category === 'aborted' ||
      (isDroverError(cause) && controller.signal.aborted && cause.code === 'ABORTED');
    outcome = aborted ? 'aborted' : 'failed';
    failure = failureOf(cause, stepFailure?.step);
    run.log(
      'error',
      `stopped at ${failure.stepId}${failure.node ? ` on ${failure.node}` : ''}: [${failure.code}] ${failure.message}`,
      failure.node ?? undefined,
    );
    notes.push(...(await cleanUpAfterStop(run)));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    // After-run hook and silence expiry on every path, while the lock is still held.
    const closed = await closeRunExtras(run, extras, outcome);
    notes.push(...closed.notes);
    if (closed.failure && outcome === 'succeeded') {
      outcome = 'failed';
      failure = failureOf(closed.failure, undefined);
    }
    await renewal.stop();
  }
  try {
    await ports.lock.release(options.holderIdentity);
  } catch (error) {
    notes.push(
      `could not release the cluster lock (${error instanceof Error ? error.message : String(error)}); it expires after ${ttl}s`,
    );
  }
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
      lowerBoundSeconds: lowerBound,
      durations: options.durations,
      failure,
      notes: [...notes, ...hookNotes(run.entries)],
      violations: [],
      invariantsObserved: options.invariantsObserved === true,
    }),
  );
}
