/**
 * Engine tests on the one twin: a RunState over the simulated cluster's ports (the small
 * cluster of src/adapters/simulated/testing/fixtures.ts), so a step handler meets a world that
 * behaves as the real systems do (pods that take time to go, a node that refuses nothing on its
 * own) rather than a fake that guards the rules for the engine. Only engine tests and this
 * folder may import the simulated adapters (eslint.config.js); fault decorators
 * (twin-faults.ts) wrap one port method at a time: a read that lies, a read that throws.
 */
import { buildPlan } from '../../core/plan-build.js';
import type { UpgradeReport } from '../../core/report.js';
import type { Selection } from '../../core/selection-flags.js';
import { selectPlan } from '../../core/selection.js';
import { allSteps } from '../../core/plan.js';
import type { Plan, StepAction, UpgradeKind } from '../../core/plan.js';
import { findStep } from '../../core/plan-step.js';
import { Redactor } from '../../core/redact.js';
import type { SimulatedCluster } from '../../adapters/simulated/index.js';
import { startSmall } from '../../adapters/simulated/testing/fixtures.js';
import type { ScenarioInput } from '../../adapters/simulated/scenario/schema.js';
import type { RunState, StepContext } from '../context.js';
import { runUpgrade } from '../run-upgrade.js';
import type { RunUpgradeOptions } from '../run-upgrade.js';
import { makeContext } from '../step-context.js';
import type { Ports } from '../../ports/index.js';
import { MemoryJournal } from '../../adapters/journal/memory-journal.js';
import type { JournalEntry } from '../../ports/journal.js';
import type { ProgressEvent } from '../../ports/reporter.js';
import {
  DEFAULT_LEASE_NAME,
  DEFAULT_LEASE_NAMESPACE,
} from '../../adapters/kubernetes/lease-lock.js';
import { runStateOver } from './test-run.js';

/** The journal every "process" of one test shares (a resume reads what a crashed run wrote). */
export interface TwinRun {
  cluster: SimulatedCluster;
  run: RunState;
  events: ProgressEvent[];
  journal: MemoryJournal;
  /** The ports of the first "process" (decorated). */
  ports: Ports;
  /** A step's context; `priorStarts`: its step-started entries from a process that died. */
  context<A extends StepAction>(
    stepId: `${string}/${A}`,
    priorStarts?: JournalEntry[],
  ): StepContext<A>;
  /** The ports of another process over the same world and journal (its own lease lock). */
  newPorts(decorate?: (ports: Ports) => Ports): Ports;
  /** runUpgrade's options over this twin (a fresh process's ports unless given). */
  upgrade(over?: Partial<RunUpgradeOptions>): RunUpgradeOptions;
}

export interface TwinRunOptions {
  scenario?: Partial<ScenarioInput>;
  kind?: UpgradeKind;
  decorate?: (ports: Ports) => Ports;
  signal?: AbortSignal;
  /** Custom gates the plan names (`custom:<name>`). */
  customChecks?: string[];
}

/** A twin run on the small cluster (fixtures.ts) with the scenario's extra fields. */
export async function twinRun(options: TwinRunOptions = {}): Promise<TwinRun> {
  return twinRunOver(await startSmall(options.scenario ?? {}), options);
}

/** A twin run over a cluster already started (another scenario, seed or world file). */
export function twinRunOver(
  cluster: SimulatedCluster,
  options: Omit<TwinRunOptions, 'scenario'> = {},
): TwinRun {
  const events: ProgressEvent[] = [];
  const journal = new MemoryJournal();
  const newPorts = (decorate?: (ports: Ports) => Ports): Ports => {
    const base: Ports = {
      ...cluster.ports,
      journal,
      lock: cluster.newLock(),
      reporter: { event: (e) => void events.push(e) },
    };
    return decorate ? decorate(base) : base;
  };
  const ports = newPorts(options.decorate);
  const kind = options.kind ?? cluster.kind;
  const plan: Plan = buildPlan(kind, {
    inventory: cluster.inventory,
    policy: cluster.policy,
    from: cluster.from,
    to: cluster.to,
    ...(options.customChecks ? { customChecks: options.customChecks } : {}),
  });
  const run: RunState = runStateOver({
    plan,
    inventory: cluster.inventory,
    policy: cluster.policy,
    ports,
    signal: options.signal,
  });
  const context = <A extends StepAction>(
    stepId: `${string}/${A}`,
    priorStarts: JournalEntry[] = [],
  ): StepContext<A> => {
    const step = findStep(allSteps(plan), stepId);
    if (!step) throw new Error(`no step ${stepId} in the plan`);
    const node = step.node ? cluster.inventory.nodes.find((n) => n.name === step.node) : undefined;
    return makeContext(run, step, node, priorStarts);
  };
  const upgrade = (over: Partial<RunUpgradeOptions> = {}): RunUpgradeOptions => ({
    plan,
    inventory: cluster.inventory,
    ports: newPorts(),
    durations: cluster.durations,
    runId: 'run-1',
    holderIdentity: 'drover/run-1',
    resume: false,
    redactor: new Redactor(),
    ...over,
  });
  return { cluster, run, events, journal, ports, context, newPorts, upgrade };
}

/** The ports every run has (hooks, silences and the registry are optional). */
type RequiredPort = { [P in keyof Ports]-?: undefined extends Ports[P] ? never : P }[keyof Ports];

/** Replaces one method of one port: the fault decorators' building block. */
export function overriding<K extends RequiredPort, M extends keyof Ports[K]>(
  ports: Ports,
  port: K,
  method: M,
  replacement: (original: Ports[K][M]) => Ports[K][M],
): Ports {
  const target = ports[port];
  const original = (target[method] as (...a: unknown[]) => unknown).bind(target) as Ports[K][M];
  const wrapped = Object.create(target) as Ports[K];
  wrapped[method] = replacement(original);
  return { ...ports, [port]: wrapped };
}

/** The VMs the world replaced, by node (nodes never replaced left out). */
export function replacedVms(cluster: SimulatedCluster): Record<string, number> {
  return Object.fromEntries(Object.entries(cluster.vmReplacements()).filter(([, n]) => n > 0));
}

/** The nodes marked unschedulable, as the API server reports them. */
export async function cordonedNodes(cluster: SimulatedCluster): Promise<string[]> {
  return (await cluster.ports.kubernetes.listNodes())
    .filter((n) => n.unschedulable)
    .map((n) => n.name)
    .sort();
}

/** Who holds the upgrade lease now (undefined: nobody, or no lease object at all). */
export async function leaseHolder(cluster: SimulatedCluster): Promise<string | undefined> {
  const lease = await cluster.ports.kubernetes.getLease(
    DEFAULT_LEASE_NAMESPACE,
    DEFAULT_LEASE_NAME,
  );
  return lease?.holderIdentity || undefined;
}

/** The templates' versions, in inventory order. */
export async function templateVersions(cluster: SimulatedCluster): Promise<(string | undefined)[]> {
  return Promise.all(
    Object.values(cluster.inventory.templates).map((t) =>
      cluster.ports.infrastructure.templateVersion(t.address),
    ),
  );
}

/**
 * The engine's upgrade of a started cluster (or of a selection of its nodes), start to end: how
 * the twin's own tests drive a whole cycle, so what they show holds for the engine users run.
 */
export async function upgradeOver(
  cluster: SimulatedCluster,
  selection?: Selection,
): Promise<UpgradeReport> {
  const t = twinRunOver(cluster);
  const plan = selection ? selectPlan(t.run.plan, cluster.inventory, selection) : t.run.plan;
  const report = await runUpgrade(t.upgrade({ plan }));
  if (report.outcome !== 'succeeded')
    throw new Error(`the upgrade ${report.outcome}: ${report.failure?.message ?? ''}`);
  return report;
}
