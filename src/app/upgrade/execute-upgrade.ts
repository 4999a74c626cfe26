/**
 * The upgrade use case (`drover upgrade`): load the config, build the plan, check the live
 * cluster, then either say what would happen (a dry run: nothing is changed, not even the journal
 * or the lock) or run the engine. Returns the report, redacted by the caller's Redactor, which
 * also redacts whatever the caller prints of an error this throws.
 */
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { DEFAULT_STEP_DURATIONS } from '../../core/durations.js';
import { DroverError } from '../../core/errors.js';
import { lowerBoundSeconds } from '../../core/lower-bound.js';
import type { Plan } from '../../core/plan.js';
import type { Redactor } from '../../core/redact.js';
import { selectPlan } from '../../core/selection.js';
import { buildReport } from '../../core/report.js';
import type { UpgradeReport } from '../../core/report.js';
import type { AuditRecord } from '../../engine/context.js';
import { preflight } from '../../engine/preflight.js';
import { runUpgrade } from '../../engine/run-upgrade.js';
import type { Clock, Ports, RegistryPort, Reporter } from '../../ports/index.js';
import type { JournalEntry } from '../../ports/journal.js';
import { loadConfig } from '../config/load-config.js';
import type { LoadedConfig } from '../config/load-config.js';
import { planFromConfig } from '../plan/plan-from-config.js';
import { checkKind } from '../plan/upgrade-kind.js';
import { buildPorts, registerSecrets } from './build-ports.js';
import type { Env } from './build-ports.js';
import { customChecksFrom } from './custom-checks.js';
import { selectLive } from '../selection/live-selection.js';
import { chooseRunId, holderIdentityOf, runBindingOf } from './run-id.js';
import { releaseGateConfigOf, resolveReleaseGate } from '../config/release-gate-config.js';
import { maintenanceOf, registryOf } from './run-settings.js';
import { dryRunUpgrade } from './upgrade-dry-run.js';
import type { UpgradeOptions } from './upgrade-input.js';

/** What a use case that talks to the cluster is given by its caller (the CLI, a test). */
export interface UseCaseIo {
  /** Machine-read lines (the runner's ::add-mask:: commands without --json). */
  stdout(text: string): void;
  /** What the operator reads: warnings, notes, the dry run's account. */
  stderr(text: string): void;
  env: Env;
  reporter: Reporter & { flush(): Promise<void> };
  /** Every secret the run learns is added to it; the caller redacts what it prints with it. */
  redactor: Redactor;
  signal?: AbortSignal;
  clock?: Clock;
  /** The installer images' registry (default: the OCI registries the images name). */
  registry?: RegistryPort;
}

/** The config and the plan the upgrade acts on: `full` before --limit/--canary, `selected` after. */
export interface PlannedUpgrade {
  loaded: LoadedConfig;
  selected: Plan;
  full: Plan;
}

export async function executeUpgrade(
  kindText: string,
  options: UpgradeOptions,
  io: UseCaseIo,
): Promise<UpgradeReport> {
  const { redactor } = io;
  try {
    const kind = checkKind(kindText, 'upgrade');
    const loaded = await loadConfig(options.config);
    for (const warning of loaded.warnings) io.stderr(`warning: ${warning}\n`);
    // Under --json stdout carries one document: the runner reads ::add-mask:: from stderr too.
    registerSecrets(loaded, io.env, redactor, options.json ? io.stderr : io.stdout);
    const releaseGate = await resolveReleaseGate(
      releaseGateConfigOf(loaded),
      options.releaseGate ?? {},
      (io.clock ?? new SystemClock()).now(),
    );
    const { plan: full, notes } = planFromConfig(loaded, kind, {
      to: options.to,
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.allow ? { allow: options.allow } : {}),
      command: 'upgrade',
      ...(releaseGate ? { releaseGate } : {}),
    });
    const plan = selectPlan(full, loaded.inventory, options.selection ?? {});
    for (const note of notes) io.stderr(`note: ${redactor.redact(note)}\n`);
    if (kind === 'cattle' && loaded.config.backup.s3 === undefined) {
      throw new DroverError(
        'input',
        'BACKUP_NOT_CONFIGURED',
        'a cattle upgrade destroys VMs, and the config has no backup.s3 for the Terraform state',
        {
          hint: 'Add backup.s3 (bucket, region, endpoint) to the config; see docs/configuration.md.',
        },
      );
    }
    const report = options.dryRun
      ? await dryRunUpgrade({ loaded, selected: plan, full }, options, io)
      : await realRun({ loaded, selected: plan, full }, options, io);
    return redactor.redactValue(report);
  } finally {
    await io.reporter.flush();
  }
}

async function realRun(
  { loaded, selected, full }: PlannedUpgrade,
  options: UpgradeOptions,
  io: UseCaseIo,
): Promise<UpgradeReport> {
  const { redactor } = io;
  const built = buildPorts({
    loaded,
    flags: options,
    env: io.env,
    redactor,
    reporter: io.reporter,
    ...(io.clock ? { clock: io.clock } : {}),
  });
  const { ports } = built;
  const registry = useRegistry(ports, loaded, options, io);
  try {
    // --limit/--canary pass over the nodes already at the target; a resumed selected run keeps
    // the nodes it started with (app/selection/live-selection).
    const plan = await selectLive(full, selected, loaded.inventory, {
      listNodes: () => ports.kubernetes.listNodes(),
      journal: ports.journal,
      resume: options.resume,
    });
    await preflightNotes(plan, loaded, ports, io);
    const binding = runBindingOf(plan, loaded.inventory, loaded.config);
    const choice = await chooseRunId(
      plan,
      options.resume,
      ports.journal,
      built.journalFile,
      io,
      ports.clock,
      binding,
    );
    const { runId } = choice;
    if (choice.finished) return finishedReport(plan, loaded, ports, runId, choice.finished);
    return await runUpgrade({
      ...engineSettings(loaded, options, io, registry),
      plan,
      inventory: loaded.inventory,
      ports,
      runId,
      holderIdentity: holderIdentityOf(hostname(), runId),
      binding: { ...binding },
      resume: options.resume,
      redactor,
    });
  } finally {
    await built.dispose();
  }
}

/**
 * The registry the images are looked up in: the caller's (tests: a loopback one), else the
 * adapter buildPorts made; none when the check is switched off.
 */
function useRegistry(ports: Ports, loaded: LoadedConfig, options: UpgradeOptions, io: UseCaseIo) {
  const registry = registryOf(loaded, options, io);
  if (registry.registry) ports.registry = registry.registry;
  else delete ports.registry;
  return registry;
}

/** The checks before anything changes; what they note goes to the operator. */
async function preflightNotes(plan: Plan, loaded: LoadedConfig, ports: Ports, io: UseCaseIo) {
  const facts = await preflight({
    plan,
    inventory: loaded.inventory,
    kubernetes: ports.kubernetes,
    secrets: ports.secrets,
    ...(io.signal ? { signal: io.signal } : {}),
  });
  for (const note of facts.notes) io.stderr(`note: ${io.redactor.redact(note)}\n`);
}

/** What the engine takes from the config and the flags, apart from the plan and the run's identity. */
function engineSettings(
  loaded: LoadedConfig,
  options: UpgradeOptions,
  io: UseCaseIo,
  registry: ReturnType<typeof registryOf>,
) {
  const { audit } = options;
  return {
    durations: DEFAULT_STEP_DURATIONS,
    lockTtlSeconds: loaded.config.lock.ttlSeconds,
    customChecks: customChecksFrom(loaded.customGates, {
      cluster: loaded.config.cluster,
      redactor: io.redactor,
      cwd: loaded.dir,
      ...(io.env.PATH === undefined ? {} : { path: io.env.PATH }),
    }),
    ...maintenanceOf(loaded, options),
    ...(registry.installerImagesSkipped === undefined
      ? {}
      : { installerImagesSkipped: registry.installerImagesSkipped }),
    ...(io.signal ? { signal: io.signal } : {}),
    ...(audit
      ? { audit: (record: AuditRecord) => appendFileSync(audit, `${JSON.stringify(record)}\n`) }
      : {}),
  };
}

/** --resume of a run that already succeeded: its report again, and nothing done. */
async function finishedReport(
  plan: Plan,
  loaded: LoadedConfig,
  ports: Ports,
  runId: string,
  finished: JournalEntry,
): Promise<UpgradeReport> {
  const entries = (await ports.journal.readAll()).filter((e) => e.runId === runId);
  return buildReport({
    plan,
    inventory: loaded.inventory,
    runId,
    entries,
    outcome: 'succeeded',
    finishedAt: finished.at,
    lowerBoundSeconds: lowerBoundSeconds(plan, loaded.inventory, DEFAULT_STEP_DURATIONS),
    failure: null,
    notes: [
      `run ${runId} already finished (succeeded at ${new Date(finished.at).toISOString()}): nothing was done`,
    ],
    violations: [],
  });
}
