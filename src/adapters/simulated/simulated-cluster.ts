/**
 * The simulated cluster as its users hold it (drover simulate, the end-to-end tests, the
 * benchmarks): the scenario's inventory, policy and versions, the ports over the world (each
 * reporting what it is asked to do to the world's request feed), and the world's life cycle.
 */
import type { StepDurations } from '../../core/durations.js';
import type { InvariantName } from '../../core/invariants.js';
import type { Inventory } from '../../core/inventory.js';
import type { UpgradeKind } from '../../core/plan.js';
import type { Policy } from '../../core/policy.js';
import type { Clock } from '../../ports/clock.js';
import type { KubernetesPort, LockPort, Ports } from '../../ports/index.js';
import { LeaseLock } from '../kubernetes/lease-lock.js';
import type { KubeStore } from './kube/store.js';
import { SimulatedHookRunner } from './ports/hook-runner.js';
import { SimulatedInfrastructurePort } from './ports/infrastructure-port.js';
import { SimulatedKubernetesPort } from './ports/kubernetes-port.js';
import { SimulatedRegistryPort } from './ports/registry-port.js';
import { SimulatedSecretsPort } from './ports/secrets-port.js';
import { SimulatedStateBackupPort } from './ports/state-backup-port.js';
import { SimulatedStoragePort } from './ports/storage-port.js';
import { SimulatedTalosPort } from './ports/talos-port.js';
import type { Scenario } from './scenario/schema.js';
import type { VirtualClock } from './virtual-clock.js';
import { checkLeavesReplaced } from './world/invariants-terraform.js';
import type { WorldSaver } from './world/persistence.js';
import {
  reportingInfrastructure,
  reportingKubernetes,
  reportingStateBackup,
  reportingStorage,
  reportingTalos,
} from './world/request-reporting.js';
import type { VmState } from './world/state.js';
import type { World } from './world/world.js';
import type { WorldRequest } from './world/world-types.js';

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

/** The cluster over a started world; `saver` keeps the --world file, `resumedFromWorld` if loaded. */
export function simulatedCluster(
  world: World,
  clock: VirtualClock,
  saver: WorldSaver | undefined,
  resumedFromWorld: boolean,
): SimulatedCluster {
  const { context, state, store } = world;
  const { scenario } = context;
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
    resumedFromWorld,
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
