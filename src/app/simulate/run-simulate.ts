/**
 * The simulate use case (`drover simulate`): the real engine against the simulated cluster on
 * virtual time. Loads the scenario (or the reference cluster), builds the plan, runs it, merges
 * the simulated world's invariant checks into the report and maps the outcome to the exit code.
 * Where the report goes (a file, stdout) is the caller's business.
 */
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  createSimulatedCluster,
  loadScenario,
  referenceScenario,
  SIMULATION_EPOCH_MS,
} from '../../adapters/simulated/index.js';
import type { SimulatedCluster } from '../../adapters/simulated/index.js';
import { withChaos } from '../../adapters/simulated/scenario/chaos.js';
import { scenarioMaintenance, startMsOf } from '../../adapters/simulated/scenario/maintenance.js';
import { resolveReleaseGate } from '../config/release-gate-config.js';
import type { ReleaseGateFlags } from '../config/release-gate-config.js';
import type { Scenario } from '../../adapters/simulated/index.js';
import { targetScenario } from './scenario-target.js';
import { SecretWatch } from './secret-watch.js';
import { lineOf } from '../config/field-path.js';
import { JsonlJournal, MemoryJournal } from '../../adapters/journal/index.js';
import { DroverError } from '../../core/errors.js';
import { buildPlan } from '../../core/plan-build.js';
import { policyCapWarnings } from '../../core/policy-caps.js';
import type { UpgradeKind } from '../../core/plan.js';
import { Redactor } from '../../core/redact.js';
import type { RouteAllowances } from '../../core/route.js';
import type { UpgradeReport, Violation } from '../../core/report.js';
import { vmReplacementsFromJournal } from '../../core/report-nodes.js';
import { selectPlan } from '../../core/selection.js';
import type { Selection } from '../../core/selection.js';
import { latestRunId } from '../../engine/journal-view.js';
import { runUpgrade } from '../../engine/run-upgrade.js';
import type {
  Clock,
  JournalEntry,
  JournalStore,
  Reporter,
  SilencePort,
} from '../../ports/index.js';
import { exitCodeOf } from '../run/exit-code.js';
import { buildSimulatePorts } from './simulate-ports.js';
import { selectLive } from '../selection/live-selection.js';
import type { SimulateApi, SimulatePorts } from './simulate-ports.js';
import { apiRequestFields } from './simulate-report.js';
import type { SimulateReport } from './simulate-report.js';

const HTTP_IDLE_DELAY_MS = 2;

export interface SimulateOptions {
  scenarioFile?: string;
  kind?: UpgradeKind;
  /** `--to VERSION`: the target of the kind (Talos, or Kubernetes for kind kubernetes). */
  to?: string;
  /** Default: the scenario's `seed`, else 1. */
  seed?: number;
  journalFile?: string;
  worldFile?: string;
  resume: boolean;
  crashAfterSteps?: number;
  /** Simulated seconds the world lives on alone before this run starts (after a crash). */
  advanceSeconds?: number;
  /** --allow-downgrade, --allow-multi-hop, --allow-unknown: as route, plan and upgrade. */
  allow?: RouteAllowances;
  /** --release-list, --min-release-age: the release gate, as route, plan and upgrade apply it. */
  releaseGate?: ReleaseGateFlags;
  /** `--chaos SEED`: add a seeded random mix of faults with random triggers to the scenario. */
  chaosSeed?: number;
  /** Seconds of simulated time after which a run that has not finished counts as hung. */
  deadlineSeconds?: number;
  auditFile?: string;
  api: SimulateApi;
  signal?: AbortSignal;
  /** --nodes, --role, --limit, --phase, --canary (core/selection.ts). */
  selection?: Selection;
  /**
   * Alertmanager silences for the run, given the simulated clock (tests: the real adapter
   * against a loopback Alertmanager that keeps virtual time).
   */
  silences?: (clock: Clock) => SilencePort;
}

export interface SimulateIo {
  /** What the operator reads: warnings, the chaos mix. */
  stderr(text: string): void;
  reporter: Reporter & { flush(): Promise<void> };
  /**
   * Dies abruptly (the CLI: SIGKILL to itself). In-process it returns: the world is frozen and
   * runSimulate throws SimulatedCrash instead of finishing.
   */
  crash(): never | Promise<never> | void;
}

/** In-process stand-in for a killed process: the world and journal stay as the crash left them. */
export class SimulatedCrash extends Error {
  constructor(readonly afterSteps: number) {
    super(`simulated crash after ${afterSteps} completed step(s)`);
  }
}

/**
 * A journal whose writes stop dead once the process "died" (nothing after the crash lands), and
 * whose entries are checked for served secrets (invariant no-secret-leaks).
 */
function fenced(journal: JournalStore, dead: () => boolean, watch: SecretWatch): JournalStore {
  return {
    append: (entry) => {
      if (dead()) return new Promise<never>(() => undefined);
      watch.scan('the journal', JSON.stringify(entry));
      return journal.append(entry);
    },
    readAll: () => journal.readAll(),
  };
}

export interface SimulateResult {
  exitCode: number;
  report: SimulateReport;
}

export async function loadScenarioFile(file: string | undefined) {
  if (file === undefined) return referenceScenario();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DroverError('input', 'SCENARIO_UNREADABLE', `cannot read the scenario ${file}`, {
      cause: error,
      hint: 'Give the path of a scenario YAML file (see docs/simulate.md), or omit --scenario for the reference cluster.',
    });
  }
  return loadScenario(text, file, lineOf);
}

function journalFor(options: SimulateOptions): JournalStore & { close?(): Promise<void> } {
  const file =
    options.journalFile ?? (options.worldFile ? `${options.worldFile}.journal.jsonl` : undefined);
  if (file !== undefined) return new JsonlJournal(file);
  if (options.resume || options.crashAfterSteps !== undefined) {
    throw new DroverError(
      'usage',
      'JOURNAL_REQUIRED',
      '--resume and --crash-after-steps need a journal that outlives the process',
      {
        hint: 'Pass --journal FILE (and --world FILE so the simulated cluster survives too).',
      },
    );
  }
  // Nothing could resume this run: keep its journal in memory (no fsync per step).
  return new MemoryJournal();
}

/**
 * World facts the engine cannot break unnoticed: its VM replacement count must match the world's.
 * `journal`: every run the world file has seen (a canary, then the full run), when there is one.
 */
export function mergeViolations(
  report: UpgradeReport,
  cluster: SimulatedCluster,
  journal?: JournalEntry[],
): Violation[] {
  const violations: Violation[] = [...cluster.violations()];
  const world = cluster.vmReplacements();
  const at = cluster.clock.now();
  for (const node of report.nodes) {
    const seen = world[node.name] ?? 0;
    if (seen > 1)
      violations.push({
        invariant: 'exactly-once-after-crash',
        at,
        message: `${node.name}: its VM was replaced ${seen} times (exactly once is the rule)`,
      });
    const journaled =
      journal === undefined ? node.vmReplacements : vmReplacementsFromJournal(journal, node.name);
    if (seen !== journaled) {
      violations.push({
        invariant: 'exactly-once-after-crash',
        at,
        message: `${node.name}: the journal records ${journaled} VM replacement(s), the world saw ${seen}`,
      });
    }
  }
  return violations;
}

/**
 * A run still going after this much simulated time is hung (a bug): it fails loudly rather than
 * spin forever. The virtual clock only moves while something waits, so this costs nothing.
 */
const DEFAULT_DEADLINE_SECONDS = 14 * 24 * 3600;

function hangDeadline(cluster: SimulatedCluster, options: SimulateOptions): Promise<never> {
  const seconds = options.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
  return cluster.clock.sleep(seconds * 1000).then(() => {
    throw new DroverError(
      'failed',
      'SIMULATION_HUNG',
      `the upgrade had not finished after ${seconds} s of simulated time`,
      {
        hint: 'A bug in the engine or the simulated cluster: report it with the scenario and seed.',
      },
    );
  });
}

function maintenanceOf(scenario: Scenario) {
  const maintenance = scenarioMaintenance(scenario);
  return maintenance ? { maintenance } : {};
}

export async function runSimulate(
  options: SimulateOptions,
  io: SimulateIo,
): Promise<SimulateResult> {
  const file = await loadScenarioFile(options.scenarioFile);
  // The release gate judges ages at the scenario's start: virtual time, so runs repeat.
  const releaseGate = await resolveReleaseGate(
    undefined,
    options.releaseGate ?? {},
    startMsOf(file, SIMULATION_EPOCH_MS),
  );
  const { scenario: loaded, route } = targetScenario(file, {
    ...(options.kind ? { kind: options.kind } : {}),
    ...(options.to ? { to: options.to } : {}),
    ...(options.allow ? { allow: options.allow } : {}),
    ...(releaseGate ? { releaseGate } : {}),
  });
  const seed = options.seed ?? loaded.seed ?? 1;
  // Crash faults only where a crash can be resumed (a world file that outlives the process).
  const scenario =
    options.chaosSeed === undefined
      ? loaded
      : withChaos(loaded, options.chaosSeed, {
          ...(options.kind ? { kind: options.kind } : {}),
          allowCrash: options.worldFile !== undefined,
        });
  if (options.chaosSeed !== undefined)
    io.stderr(
      `Chaos ${options.chaosSeed}: ${scenario.faults.length} fault(s): ${JSON.stringify(scenario.faults)}\n`,
    );
  const journal = journalFor(options);
  const cluster = await createSimulatedCluster({
    scenario,
    seed,
    ...(options.kind ? { kind: options.kind } : {}),
    // Over HTTP, let loopback requests land before virtual time jumps.
    ...(options.api === 'http' ? { idleDelayMs: HTTP_IDLE_DELAY_MS } : {}),
    ...(options.worldFile ? { worldFile: options.worldFile } : {}),
    ...(options.advanceSeconds ? { advanceMs: options.advanceSeconds * 1000 } : {}),
  });
  // A setting another caps says so (the scenario's own disruption fields only).
  for (const warning of policyCapWarnings(
    cluster.policy,
    cluster.inventory.nodes.filter((n) => n.role === 'worker').length,
    new Set(Object.keys(scenario.policy.disruption ?? {})),
  ))
    io.stderr(`warning: ${warning}\n`);
  let completed = 0;
  let died!: () => void;
  const crashed = new Promise<'crashed'>((resolve) => (died = () => resolve('crashed')));
  // A crash fault or --crash-after-steps: save the world, freeze it, then die.
  cluster.onCrash(() => {
    cluster.freeze();
    void io.reporter
      .flush()
      .then(() => io.crash())
      .then(died, died);
  });
  let simulatePorts: SimulatePorts | undefined;
  try {
    const kind = options.kind ?? cluster.kind;
    // A Kubernetes upgrade leaves Talos where it is.
    const full = buildPlan(kind, {
      inventory: cluster.inventory,
      policy: cluster.policy,
      from: cluster.from,
      to: kind === 'kubernetes' ? cluster.from : cluster.to,
      ...(cluster.kubernetes ? { kubernetes: cluster.kubernetes } : {}),
      // A multi-hop route (--allow-multi-hop): the plan has a phase per hop.
      ...(route.hops.length > 1 ? { hops: route.hops } : {}),
    });
    // Checked here, before anything runs (exit 2); --limit/--canary read the world once ports exist.
    const selected = selectPlan(full, cluster.inventory, options.selection ?? {});
    let runId: string;
    if (options.resume && !cluster.resumedFromWorld) {
      // The journal would skip steps a fresh simulated cluster never saw.
      throw new DroverError(
        'usage',
        'WORLD_REQUIRED',
        '--resume needs the saved world of the run it continues',
        {
          hint: 'Pass the same --world FILE the interrupted run used.',
        },
      );
    }
    if (options.resume) {
      const previous = latestRunId(await journal.readAll());
      if (previous === undefined) {
        throw new DroverError('usage', 'NOTHING_TO_RESUME', 'the journal holds no run to resume', {
          hint: "Run without --resume to start an upgrade, or point --journal at the crashed run's journal.",
        });
      }
      runId = previous;
    } else {
      runId = `sim-${seed}-${new Date(cluster.clock.now()).toISOString()}`;
    }
    const redactor = new Redactor();
    for (const secret of cluster.secretValues()) redactor.add(secret);
    const watch = new SecretWatch(
      () => cluster.secretValues(),
      () => cluster.clock.now(),
    );
    simulatePorts = await buildSimulatePorts({
      cluster,
      journal: fenced(journal, () => cluster.crashed(), watch),
      reporter: {
        event: (event) => {
          watch.scan('a progress event', JSON.stringify(event));
          io.reporter.event(event);
        },
      },
      api: options.api,
      redactor,
      ...(options.silences ? { silences: options.silences(cluster.clock) } : {}),
    });
    const { ports } = simulatePorts;
    const plan = await selectLive(full, selected, cluster.inventory, {
      listNodes: () => ports.kubernetes.listNodes(),
      journal,
      resume: options.resume,
    });
    const afterStep = async (_entry: JournalEntry) => {
      completed++;
      if (options.crashAfterSteps !== undefined && completed >= options.crashAfterSteps) {
        cluster.crash();
        await crashed;
      }
    };
    const audit = options.auditFile;
    const upgrade = runUpgrade({
      plan,
      inventory: cluster.inventory,
      ports,
      durations: cluster.durations,
      runId,
      holderIdentity: `drover-simulate/${runId}`,
      resume: options.resume,
      redactor,
      invariantsObserved: true,
      afterStep,
      ...maintenanceOf(scenario),
      ...(options.signal ? { signal: options.signal } : {}),
      audit: (record) => {
        const line = JSON.stringify(record);
        watch.scan('the audit log', line);
        if (audit) appendFileSync(audit, `${line}\n`);
      },
    });
    const finished = await Promise.race([upgrade, crashed, hangDeadline(cluster, options)]);
    if (finished === 'crashed') throw new SimulatedCrash(completed);
    const report = finished;
    // Finished or stopped, not crashed: what must hold at the end of a run is judged now.
    cluster.endRun();
    await io.reporter.flush();
    const redacted: SimulateReport = redactor.redactValue({
      ...report,
      // A fresh run on a kept world (the full run after a canary) is not a resume.
      resumed: report.resumed || (options.resume && cluster.resumedFromWorld),
      // A world that outlives this run (--world) may carry earlier runs' replacements: count
      // them from the whole journal beside it (resume, or a canary before this full run).
      violations: mergeViolations(
        report,
        cluster,
        cluster.resumedFromWorld ? await journal.readAll() : undefined,
      ),
      ...apiRequestFields(report, simulatePorts.apiRequests?.()),
    });
    watch.scan('the report', JSON.stringify(redacted));
    const merged: SimulateReport = {
      ...redacted,
      violations: [...redacted.violations, ...watch.violations()],
    };
    await cluster.persist();
    return { exitCode: exitCodeOf(merged), report: merged };
  } finally {
    await simulatePorts?.close();
    await cluster.close();
    await (journal as { close?(): Promise<void> }).close?.();
  }
}
