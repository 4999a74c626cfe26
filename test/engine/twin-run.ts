/**
 * Engine tests on the one twin: a RunState over the simulated cluster's ports (the small
 * cluster of src/adapters/simulated/testing/fixtures.ts), so a step handler meets a world that
 * behaves as the real systems do (pods that take time to go, a node that refuses nothing on its
 * own) rather than a fake that guards the rules for the engine. Fault decorators wrap one port
 * method at a time: a read that lies, a read that throws.
 */
import { buildPlan } from '../../src/core/plan-build.js';
import { allSteps } from '../../src/core/plan.js';
import type { StepAction, UpgradeKind } from '../../src/core/plan.js';
import { findStep } from '../../src/core/plan-step.js';
import { MemoryJournal } from '../../src/adapters/journal/memory-journal.js';
import type { SimulatedCluster } from '../../src/adapters/simulated/index.js';
import { startSmall } from '../../src/adapters/simulated/testing/fixtures.js';
import type { ScenarioInput } from '../../src/adapters/simulated/scenario/schema.js';
import type { RunState, StepContext } from '../../src/engine/context.js';
import { runStateOver } from '../../src/engine/testing/test-run.js';
import { makeContext } from '../../src/engine/run-step.js';
import type { Ports } from '../../src/ports/index.js';
import type { JournalEntry } from '../../src/ports/journal.js';
import type { ProgressEvent } from '../../src/ports/reporter.js';

export interface TwinRun {
  cluster: SimulatedCluster;
  run: RunState;
  events: ProgressEvent[];
  /** A step's context; `priorStarts`: its step-started entries from a process that died. */
  context<A extends StepAction>(
    stepId: `${string}/${A}`,
    priorStarts?: JournalEntry[],
  ): StepContext<A>;
}

export async function twinRun(
  options: {
    scenario?: Partial<ScenarioInput>;
    kind?: UpgradeKind;
    decorate?: (ports: Ports) => Ports;
  } = {},
): Promise<TwinRun> {
  const cluster = await startSmall(options.scenario ?? {});
  const events: ProgressEvent[] = [];
  const base: Ports = {
    ...cluster.ports,
    journal: new MemoryJournal(),
    lock: cluster.newLock(),
    reporter: { event: (e) => void events.push(e) },
  };
  const ports = options.decorate ? options.decorate(base) : base;
  const kind = options.kind ?? cluster.kind;
  const plan = buildPlan(kind, {
    inventory: cluster.inventory,
    policy: cluster.policy,
    from: cluster.from,
    to: cluster.to,
  });
  const run: RunState = runStateOver({
    plan,
    inventory: cluster.inventory,
    policy: cluster.policy,
    ports,
    signal: undefined,
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
  return { cluster, run, events, context };
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
