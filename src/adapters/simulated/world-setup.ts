/**
 * Bringing a simulated world to life: its controllers (machines, kubelets, Ceph, workload and
 * PDB reconcilers, timed faults, skewed runners), its first state (seeded from the scenario, or
 * restored from a --world file saved for the same scenario), and the saver that keeps that file
 * current and is the last thing a crash does.
 */
import { DroverError } from '../../core/errors.js';
import type { Scenario } from './scenario/schema.js';
import type { VirtualClock } from './virtual-clock.js';
import { reconcileCeph, registerCephHandlers } from './world/ceph.js';
import { reconcilePdbs } from './world/disruption.js';
import { armTimedFaults, registerTimedFaults } from './world/faults-timed.js';
import { invariantStoreHook } from './world/invariants-store-hook.js';
import { registerPodHandlers } from './world/kubelets.js';
import { registerMachineHandlers } from './world/machines.js';
import { R } from './world/objects.js';
import { readWorldFile, WorldSaver } from './world/persistence.js';
import { scenarioHash } from './world/initial-state.js';
import { seedStore } from './world/seed.js';
import { registerSkewedRunners } from './world/skewed-runner.js';
import type { WorldFile } from './world/state.js';
import type { World } from './world/world.js';
import { reconcileWorkloadStatus } from './world/workload-status.js';
import { reconcileWorkloads } from './world/workloads.js';

/** The world saved in `worldFile`, if there is one; a world of another scenario is refused. */
export function readSavedWorld(
  worldFile: string | undefined,
  scenario: Scenario,
): WorldFile | undefined {
  const saved = worldFile ? readWorldFile(worldFile) : undefined;
  if (saved && saved.world.scenarioHash !== scenarioHash(scenario))
    throw new DroverError(
      'input',
      'WORLD_MISMATCH',
      `World file ${worldFile} was saved for another scenario (${saved.world.scenario})`,
      {
        hint: 'Use the scenario the world was created with, or delete the world file to start afresh.',
      },
    );
  return saved;
}

/** Registers the world's controllers, then fills its store: restored, or seeded and settled. */
export function populateWorld(world: World, saved: WorldFile | undefined, startMs: number): void {
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

  if (saved) world.store.restore(saved.store);
  else {
    seedStore(world);
    world.asWorld(() => {
      reconcileWorkloadStatus(world);
      reconcilePdbs(world);
    });
    armTimedFaults(world, startMs);
  }
  world.addStoreHook(invariantStoreHook(world));
}

/**
 * Saves the world to `worldFile` on every change and as time passes, and sets what a crash
 * inside an operation does (a crash fault, crash-during-apply): the given crash (after a last
 * save), or the simulate command's handler (save, freeze, die); with neither, the operation
 * just fails.
 */
export function persistWorld(
  world: World,
  clock: VirtualClock,
  options: { worldFile?: string; crash?: () => never | Promise<never> },
): WorldSaver | undefined {
  const state = world.state;
  const worldNow = () => {
    state.now = clock.now();
    state.rng = world.rng.state;
    return state;
  };
  const saver = options.worldFile
    ? new WorldSaver(options.worldFile, worldNow, world.store)
    : undefined;
  if (saver) {
    world.onChange(() => saver.request());
    saver.saveNow();
  }
  world.crashHook = async () => {
    if (options.crash) {
      saver?.saveNow();
      return options.crash();
    }
    world.crash();
    if (world.crashed) return new Promise<never>(() => undefined);
  };
  return saver;
}
