/**
 * The simulated cluster: an in-process twin of Kubernetes + Talos + Proxmox/Terraform + S3 +
 * Ceph on a virtual clock, with scripted faults and invariant checks. The default target of
 * `drover simulate`, of the end-to-end tests and of the benchmarks.
 */
import type { UpgradeKind } from '../../core/plan.js';
import { KubeStore } from './kube/store.js';
import { deriveDurations, deriveInventory, derivePolicy } from './scenario/derive.js';
import { startMsOf } from './scenario/maintenance.js';
import type { Scenario } from './scenario/schema.js';
import { VirtualClock } from './virtual-clock.js';
import { simulatedCluster, type SimulatedCluster } from './simulated-cluster.js';
import { persistWorld, populateWorld, readSavedWorld } from './world-setup.js';
import { initialState } from './world/initial-state.js';
import type { WorldState } from './world/state.js';
import { World } from './world/world.js';
import type { WorldContext } from './world/world-types.js';

export { loadScenario, parseScenario } from './scenario/load.js';
export { referenceScenario } from './scenario/reference.js';
export type { Scenario } from './scenario/schema.js';
export { VirtualClock } from './virtual-clock.js';
export type { SimulatedCluster } from './simulated-cluster.js';

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
  const saved = readSavedWorld(options.worldFile, scenario);
  const startMs = startMsOf(scenario, SIMULATION_EPOCH_MS);
  const state: WorldState = saved ? saved.world : initialState(context, seed, startMs);
  const clock = new VirtualClock({ startMs: state.now, idleDelayMs: options.idleDelayMs ?? 0 });
  const world = new World(context, state, new KubeStore(() => clock.now()), clock);
  populateWorld(world, saved, startMs);
  const saver = persistWorld(world, clock, options);

  world.start();
  // Drover is down meanwhile: the world goes on alone (one virtual sleep runs every timer due).
  if (options.advanceMs !== undefined && options.advanceMs > 0)
    await clock.sleep(options.advanceMs);
  return simulatedCluster(world, clock, saver, saved !== undefined);
}
