/**
 * The simulated cluster: an in-process twin of Kubernetes + Talos + Proxmox/Terraform + S3 +
 * Ceph on a virtual clock, with scripted faults and invariant checks. The default target of
 * `drover simulate`, of the end-to-end tests and of the benchmarks.
 */
import { checkLeavesReplaced } from './world/invariants-terraform.js';
import type { StepDurations } from '../../core/durations.js';
import { DroverError } from '../../core/errors.js';
import type { Inventory } from '../../core/inventory.js';
import type { UpgradeKind } from '../../core/plan.js';
import type { Policy } from '../../core/policy.js';
import type { InvariantName } from '../../core/invariants.js';
import type { Clock } from '../../ports/clock.js';
import type { Ports } from '../../ports/index.js';
import { KubeStore } from './kube/store.js';
import { SimulatedInfrastructurePort } from './ports/infrastructure-port.js';
import { SimulatedKubernetesPort } from './ports/kubernetes-port.js';
import { SimulatedSecretsPort } from './ports/secrets-port.js';
import { SimulatedStateBackupPort } from './ports/state-backup-port.js';
import { SimulatedStoragePort } from './ports/storage-port.js';
import { SimulatedRegistryPort } from './ports/registry-port.js';
import { SimulatedTalosPort } from './ports/talos-port.js';
import { SimulatedHookRunner } from './ports/hook-runner.js';
import { deriveDurations, deriveInventory, derivePolicy } from './scenario/derive.js';
import type { Scenario } from './scenario/schema.js';
import { VirtualClock } from './virtual-clock.js';
import { reconcileCeph, registerCephHandlers } from './world/ceph.js';
import { invariantStoreHook } from './world/invariants.js';
import { R } from './world/objects.js';
import { registerMachineHandlers } from './world/machines.js';
import { registerSkewedRunners } from './world/skewed-runner.js';
import { armTimedFaults, registerTimedFaults } from './world/faults-timed.js';
import { readWorldFile, WorldSaver } from './world/persistence.js';
import { initialState, scenarioHash, seedStore } from './world/seed.js';
import type { VmState, WorldState } from './world/state.js';
import { World, type WorldContext } from './world/world.js';
import { reconcilePdbs } from './world/disruption.js';
import { registerPodHandlers } from './world/kubelets.js';
import { reconcileWorkloadStatus } from './world/workload-status.js';
import { reconcileWorkloads } from './world/workloads.js';
import {
  reportingInfrastructure,
  reportingKubernetes,
  reportingStateBackup,
  reportingStorage,
  reportingTalos,
} from './world/request-reporting.js';
import type { WorldRequest } from './world/world.js';
import type { KubernetesPort, LockPort } from '../../ports/index.js';
import { LeaseLock } from '../kubernetes/lease-lock.js';
import { startMsOf } from './scenario/maintenance.js';

export { loadScenario, parseScenario } from './scenario/load.js';
export { referenceScenario } from './scenario/reference.js';
export type { Scenario } from './scenario/schema.js';
export { VirtualClock } from './virtual-clock.js';

/** When the simulated world begins (a fixed instant, so runs are reproducible). */
export const SIMULATION_EPOCH_MS = Date.UTC(2026, 0, 5, 2, 0, 0);

export interface SimulatedClusterOptions {
  scenario: Scenario;
  seed: number;
  /** Load the world from this file if it exists; save it there after every change. */
  worldFile?: string;
  /** Real ms the clock waits once idle before jumping (for loopback HTTP in `--api http`). */
  idleDelayMs?: number;
  /** Overrides the scenario's upgrade kind (`--kind`): the invariants judge against its target. */
  kind?: UpgradeKind;
  /**
   * Simulated time that passes, the world living on (timers, node controller, faults), before
   * Drover starts: a loaded world after a crash (`--advance`), the runner down for an hour.
   */
  advanceMs?: number;
  /** Kills the process as a crash does (crash faults inside a step); the world is saved first. */
  crash?: () => never | Promise<never>;
}

export interface SimulatedCluster {
  scenario: Scenario;
  inventory: Inventory;
  policy: Policy;
  durations: StepDurations;
  kind: UpgradeKind;
  from: string;
  to: string;
  kubernetes?: { from: string; to: string };
  clock: Clock;
  store: KubeStore;
  ports: Pick<
    Ports,
    | 'clock'
    | 'kubernetes'
    | 'talos'
    | 'infrastructure'
    | 'stateBackup'
    | 'secrets'
    | 'storage'
    | 'registry'
  > & { hooks?: SimulatedHookRunner };
  /**
   * The lock port as one Drover process holds it: the Lease lock adapter over this world's
   * Lease (a new one per process: each remembers what it last wrote).
   */
  newLock(): LockPort;
  violations(): { invariant: InvariantName; at: number; message: string }[];
  /**
   * The run ended (finished or stopped, not crashed): judge what must hold at the end even
   * when no lease release marked it (a run that lost its lease, a world without the lock).
   */
  endRun(): void;
  vmReplacements(): Record<string, number>;
  /** The node's VM as the world knows it (tests). */
  vmState(node: string): Readonly<VmState> | undefined;
  secretValues(): string[];
  resumedFromWorld: boolean;
  /** False while the node the kubeconfig points at (`api-endpoint-node` fault) is not running. */
  apiEndpointReachable(): boolean;
  /** Wraps a Kubernetes port (e.g. the real client over HTTP) so its requests reach the world. */
  reportRequests(port: KubernetesPort): KubernetesPort;
  /** Listens to every request the cluster is asked to do (fault triggers use the same feed). */
  onRequest(listener: (request: WorldRequest) => void): void;
  /** How the process dies when a crash fault fires; `crashed()` says whether one did. */
  onCrash(handler: () => void): void;
  crashed(): boolean;
  /** Kills the Drover process now (as a crash fault does): the onCrash handler runs. */
  crash(): void;
  /** The process died: the world is saved one last time and freezes (no timer fires, no save). */
  freeze(): void;
  persist(): Promise<void>;
  close(): Promise<void>;
}

export function worldContext(scenario: Scenario, kind?: UpgradeKind): WorldContext {
  const k = scenario.upgrade.kubernetes;
  return {
    scenario,
    inventory: deriveInventory(scenario),
    policy: derivePolicy(scenario),
    durations: deriveDurations(scenario),
    kind: kind ?? scenario.upgrade.kind,
    talos: { ...scenario.upgrade.talos },
    kubernetes: { from: k.from, to: k.to ?? k.from },
  };
}

export async function createSimulatedCluster(
  options: SimulatedClusterOptions,
): Promise<SimulatedCluster> {
  const { scenario, seed } = options;
  const context = worldContext(scenario, options.kind);
  const saved = options.worldFile ? readWorldFile(options.worldFile) : undefined;
  if (saved && saved.world.scenarioHash !== scenarioHash(scenario))
    throw new DroverError(
      'input',
      'WORLD_MISMATCH',
      `World file ${options.worldFile} was saved for another scenario (${saved.world.scenario})`,
      {
        hint: 'Use the scenario the world was created with, or delete the world file to start afresh.',
      },
    );
  const startMs = startMsOf(scenario, SIMULATION_EPOCH_MS);
  const state: WorldState = saved ? saved.world : initialState(context, seed, startMs);
  const clock = new VirtualClock({ startMs: state.now, idleDelayMs: options.idleDelayMs ?? 0 });
  const store = new KubeStore(() => clock.now());
  const world = new World(context, state, store, clock);

  registerMachineHandlers(world);
  registerTimedFaults(world);
  registerSkewedRunners(world);
  registerPodHandlers(world);
  registerCephHandlers(world);
  world.addReconciler(reconcileWorkloads, [
    R.pods,
    R.nodes,
    R.replicasets,
    R.statefulsets,
    R.daemonsets,
  ]);
  world.addReconciler(reconcileWorkloadStatus, [
    R.pods,
    R.deployments,
    R.replicasets,
    R.statefulsets,
    R.daemonsets,
  ]);
  world.addReconciler(reconcilePdbs, [R.pods, R.pdbs, R.replicasets, R.statefulsets]);
  world.addReconciler(reconcileCeph, [R.nodes, R.cephclusters]);

  if (saved) store.restore(saved.store);
  else {
    seedStore(world);
    world.asWorld(() => {
      reconcileWorkloadStatus(world);
      reconcilePdbs(world);
    });
    armTimedFaults(world, startMs);
  }
  world.addStoreHook(invariantStoreHook(world));

  const worldNow = () => {
    state.now = clock.now();
    state.rng = world.rng.state;
    return state;
  };
  const saver = options.worldFile ? new WorldSaver(options.worldFile, worldNow, store) : undefined;
  if (saver) {
    world.onChange(() => saver.request());
    clock.onAdvance(() => saver.request('time'));
    saver.saveNow();
  }
  // A crash inside an operation (a crash fault, crash-during-apply): the given crash, or the
  // simulate command's handler (save, freeze, die); with neither, the operation just fails.
  world.crashHook = async () => {
    if (options.crash) {
      saver?.saveNow();
      return options.crash();
    }
    world.crash();
    if (world.crashed) return new Promise<never>(() => undefined);
  };

  world.start();
  // Drover is down meanwhile: the world goes on alone (one virtual sleep runs every timer due).
  if (options.advanceMs !== undefined && options.advanceMs > 0)
    await clock.sleep(options.advanceMs);

  const kubernetes = reportingKubernetes(world, new SimulatedKubernetesPort(world));
  return {
    scenario,
    inventory: context.inventory,
    policy: context.policy,
    durations: context.durations,
    kind: context.kind,
    from: context.talos.from,
    to: context.talos.to,
    kubernetes: { ...context.kubernetes },
    clock,
    store,
    ports: {
      clock,
      kubernetes,
      talos: reportingTalos(world, new SimulatedTalosPort(world)),
      infrastructure: reportingInfrastructure(world, new SimulatedInfrastructurePort(world)),
      stateBackup: reportingStateBackup(world, new SimulatedStateBackupPort(world)),
      secrets: new SimulatedSecretsPort(world),
      storage: reportingStorage(world, new SimulatedStoragePort(world)),
      ...(scenario.hooks.length > 0
        ? { hooks: new SimulatedHookRunner(scenario.hooks, clock) }
        : {}),
      registry: new SimulatedRegistryPort(world),
    },
    newLock: () => new LeaseLock({ kubernetes, clock }),
    // A read, at any moment: end-of-run rules are judged when the run releases the lease
    // (invariants-engine.ts) or when its runner says it ended (endRun), never by reading.
    violations: () => state.violations.map((v) => ({ ...v })),
    endRun: () => checkLeavesReplaced(world),
    vmReplacements: () => ({ ...state.vmReplacements }),
    vmState: (node) => world.vm(node),
    secretValues: () => [...state.secrets.served],
    resumedFromWorld: saved !== undefined,
    apiEndpointReachable: () =>
      !scenario.faults.some((f) => f.type === 'api-endpoint-node' && !world.vmRunning(f.node)),
    reportRequests: (port) => reportingKubernetes(world, port),
    onRequest: (listener) => world.onRequest((_w, request) => listener(request)),
    onCrash: (handler) => world.onCrash(handler),
    crashed: () => world.crashed,
    crash: () => world.crash(),
    freeze: () => {
      if (saver) {
        saver.saveNow();
        saver.close();
      }
      world.stop();
      clock.stop();
    },
    persist: async () => {
      if (!world.crashed) saver?.saveNow();
    },
    close: async () => {
      if (saver && !world.crashed) {
        saver.saveNow();
        saver.close();
      }
      world.stop();
      clock.stop();
    },
  };
}
