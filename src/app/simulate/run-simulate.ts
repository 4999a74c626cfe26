/**
 * The simulate use case (`drover simulate`): the real engine against the simulated cluster on
 * virtual time. Loads the scenario (or the reference cluster), builds the plan, runs it, merges
 * the simulated world's invariant checks into the report and maps the outcome to the exit code.
 * Where the report goes (a file, stdout) is the caller's business.
 */
import { appendFileSync } from 'node:fs';
import { createSimulatedCluster } from '../../adapters/simulated/index.js';
import type { Scenario, SimulatedCluster } from '../../adapters/simulated/index.js';
import { buildPlan } from '../../core/plan-build.js';
import { policyCapWarnings } from '../../core/policy-caps.js';
import { Redactor } from '../../core/redact.js';
import type { UpgradeKind } from '../../core/plan.js';
import type { UpgradeRoute } from '../../core/refusals.js';
import type { UpgradeReport } from '../../core/report.js';
import { selectPlan } from '../../core/selection.js';
import type { AuditRecord } from '../../engine/context.js';
import { runUpgrade } from '../../engine/run-upgrade.js';
import type { JournalStore } from '../../ports/index.js';
import { exitCodeOf } from '../run/exit-code.js';
import { selectLive } from '../selection/live-selection.js';
import { mergeViolations } from './merge-violations.js';
import { SecretWatch } from './secret-watch.js';
import { crashLatch, hangGuard, SimulatedCrash } from './simulate-crash.js';
import { fenced, journalFor, runIdFor } from './simulate-journal.js';
import type { SimulateIo, SimulateOptions, SimulateResult } from './simulate-options.js';
import { buildSimulatePorts } from './simulate-ports.js';
import type { SimulatePorts } from './simulate-ports.js';
import { apiRequestFields } from './simulate-report.js';
import type { SimulateReport } from './simulate-report.js';
import { maintenanceOf, prepareScenario } from './simulate-scenario.js';

export { SimulatedCrash } from './simulate-crash.js';
export type { SimulateIo, SimulateOptions, SimulateResult } from './simulate-options.js';

export async function runSimulate(
  options: SimulateOptions,
  io: SimulateIo,
): Promise<SimulateResult> {
  const { scenario, route, seed } = await prepareScenario(options, io);
  const journal = journalFor(options);
  const cluster = await clusterFor(scenario, seed, options);
  warnCappedPolicy(cluster, scenario, io);
  const latch = crashLatch(cluster, io, options.crashAfterSteps);
  let simulatePorts: SimulatePorts | undefined;
  try {
    const full = fullPlan(cluster, options.kind ?? cluster.kind, route);
    // Checked here, before anything runs (exit 2); --limit/--canary read the world once ports exist.
    const selected = selectPlan(full, cluster.inventory, options.selection ?? {});
    const runId = await runIdFor(options, cluster, journal, seed);
    const observed = await observedPorts(cluster, journal, options, io);
    simulatePorts = observed.simulatePorts;
    const { redactor, watch } = observed;
    const { ports } = simulatePorts;
    const plan = await selectLive(full, selected, cluster.inventory, {
      listNodes: () => ports.kubernetes.listNodes(),
      journal,
      resume: options.resume,
    });
    const guard = hangGuard(cluster.clock, options);
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
      afterStep: (entry) => {
        guard.progressed();
        return latch.afterStep(entry);
      },
      ...maintenanceOf(scenario),
      ...(options.signal ? { signal: options.signal } : {}),
      audit: auditLog(watch, options.auditFile),
    });
    const finished = await Promise.race([upgrade, latch.crashed, guard.hung]);
    if (finished === 'crashed') throw new SimulatedCrash(latch.completedSteps());
    // Finished or stopped, not crashed: what must hold at the end of a run is judged now.
    cluster.endRun();
    await io.reporter.flush();
    const report = await simulateReport(finished, { options, cluster, journal, ...observed });
    await cluster.persist();
    return { exitCode: exitCodeOf(report), report };
  } finally {
    await simulatePorts?.close();
    await cluster.close();
    await (journal as { close?(): Promise<void> }).close?.();
  }
}

/** The audit log is scanned for served secrets, and kept in --audit FILE when asked. */
function auditLog(watch: SecretWatch, file: string | undefined) {
  return (record: AuditRecord) => {
    const line = JSON.stringify(record);
    watch.scan('the audit log', line);
    if (file) appendFileSync(file, `${line}\n`);
  };
}

/** The simulated cluster of the scenario: fresh, or the one --world kept (aged by --advance). */
function clusterFor(scenario: Scenario, seed: number, options: SimulateOptions) {
  return createSimulatedCluster({
    scenario,
    seed,
    ...(options.kind ? { kind: options.kind } : {}),
    // Over HTTP no real delay before time jumps: plain requests hold the clock (held-requests.ts)
    // and a watch event is in the client's socket once written, read within the idle turns. A
    // 2 ms delay per jump made a reference run 20 s of sleeping for the same report.
    ...(options.worldFile ? { worldFile: options.worldFile } : {}),
    ...(options.advanceSeconds ? { advanceMs: options.advanceSeconds * 1000 } : {}),
  });
}

/** A setting another caps says so (the scenario's own disruption fields only). */
function warnCappedPolicy(cluster: SimulatedCluster, scenario: Scenario, io: SimulateIo): void {
  for (const warning of policyCapWarnings(
    cluster.policy,
    cluster.inventory.nodes.filter((n) => n.role === 'worker').length,
    new Set(Object.keys(scenario.policy.disruption ?? {})),
  ))
    io.stderr(`warning: ${warning}\n`);
}

/**
 * The ports the engine runs on, with every secret the cluster serves redacted from what Drover
 * writes, and the journal, progress events (and later the audit log and report) scanned for one.
 */
async function observedPorts(
  cluster: SimulatedCluster,
  journal: JournalStore,
  options: SimulateOptions,
  io: SimulateIo,
): Promise<{ redactor: Redactor; watch: SecretWatch; simulatePorts: SimulatePorts }> {
  const redactor = new Redactor();
  for (const secret of cluster.secretValues()) redactor.add(secret);
  const watch = new SecretWatch(
    () => cluster.secretValues(),
    () => cluster.clock.now(),
  );
  const simulatePorts = await buildSimulatePorts({
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
  return { redactor, watch, simulatePorts };
}

/** The plan of the whole cluster for this kind (a Kubernetes upgrade leaves Talos where it is). */
function fullPlan(cluster: SimulatedCluster, kind: UpgradeKind, route: UpgradeRoute) {
  return buildPlan(kind, {
    inventory: cluster.inventory,
    policy: cluster.policy,
    from: cluster.from,
    to: kind === 'kubernetes' ? cluster.from : cluster.to,
    ...(cluster.kubernetes ? { kubernetes: cluster.kubernetes } : {}),
    // A multi-hop route (--allow-multi-hop): the plan has a phase per hop.
    ...(route.hops.length > 1 ? { hops: route.hops } : {}),
  });
}

/**
 * The engine's report as simulate returns it: redacted, with the world's violations, the
 * simulate-only API request counts, and any served secret found in it or the run's outputs.
 */
async function simulateReport(
  report: UpgradeReport,
  run: {
    options: SimulateOptions;
    cluster: SimulatedCluster;
    journal: JournalStore;
    redactor: Redactor;
    watch: SecretWatch;
    simulatePorts: SimulatePorts;
  },
): Promise<SimulateReport> {
  const { options, cluster, journal, watch } = run;
  const redacted: SimulateReport = run.redactor.redactValue({
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
    ...apiRequestFields(report, run.simulatePorts.apiRequests?.()),
  });
  watch.scan('the report', JSON.stringify(redacted));
  return { ...redacted, violations: [...redacted.violations, ...watch.violations()] };
}
