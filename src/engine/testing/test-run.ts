/** Builds a RunState and a StepContext over a FakeCluster, for testing one handler or the drain alone. */
import { buildPlan } from '../../core/plan-build.js';
import { DEFAULT_STEP_DURATIONS } from '../../core/durations.js';
import { PASS } from '../../core/gates.js';
import { Redactor } from '../../core/redact.js';
import { allSteps } from '../../core/plan.js';
import type { StepAction } from '../../core/plan.js';
import { findStep } from '../../core/plan-step.js';
import type { RunState, StepContext } from '../context.js';
import { kubernetesRoles } from '../context.js';
import { Mutex } from '../mutex.js';
import { makeContext } from '../run-step.js';
import type { FakeCluster } from './fake-cluster.js';
import { FROM, TO } from './fake-cluster.js';
import type { Ports } from '../../ports/index.js';

export function testRun(cluster: FakeCluster, signal?: AbortSignal): RunState {
  const plan = buildPlan('cattle', {
    inventory: cluster.inventory,
    policy: cluster.policy,
    from: FROM,
    to: TO,
  });
  return runStateOver({
    plan,
    inventory: cluster.inventory,
    policy: cluster.policy,
    ports: cluster.ports(),
    signal,
  });
}

/** A RunState over any ports (the fake cluster's, or the twin's), holding the lease throughout. */
export function runStateOver(
  parts: Pick<RunState, 'plan' | 'inventory' | 'policy' | 'signal'> & { ports: Ports },
): RunState {
  const { kubernetes, ...ports } = parts.ports;
  return {
    ...parts,
    ports,
    kubernetes: kubernetesRoles(kubernetes),
    durations: DEFAULT_STEP_DURATIONS,
    runId: 'test',
    redactor: new Redactor(),
    stateMutex: new Mutex(),
    entries: [],
    lastVerifiedBackup: undefined,
    customChecks: {},
    inFlightNodes: new Set(),
    stopRequested: false,
    // Held throughout; tests of losing it replace this.
    lease: { confirm: async () => PASS },
    audit: () => undefined,
    log: (level, message, node) =>
      ports.reporter.event({
        type: 'log',
        at: ports.clock.now(),
        level,
        message,
        ...(node ? { node } : {}),
      }),
  };
}

export function testContext<A extends StepAction>(
  run: RunState,
  stepId: `${string}/${A}`,
): StepContext<A> {
  const step = findStep(allSteps(run.plan), stepId);
  if (!step) throw new Error(`no step ${stepId}`);
  const node = step.node ? run.inventory.nodes.find((n) => n.name === step.node) : undefined;
  return makeContext(run, step, node, []);
}
