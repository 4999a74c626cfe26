/**
 * The lower bound stays a TRUE bound with batched replacements: over small clusters, every way
 * of grouping the workers into batches (units started together, whose VMs one apply recreates)
 * and every order of those batches, run with every step at its shortest, never finishes the
 * workers phase sooner than lowerBoundSeconds says. The search is exhaustive: all ordered set
 * partitions of up to 5 workers, under several disruption policies and state durations.
 */
import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { DEFAULT_STEP_DURATIONS, stepMinimums } from './durations.js';
import type { StepDurations } from './durations.js';
import type { Inventory, InventoryNode } from './inventory.js';
import { lowerBoundSeconds } from './lower-bound.js';
import type { Plan, PlanStep } from './plan.js';
import { buildPlan } from './plan-build.js';
import { DEFAULT_POLICY } from './policy.js';
import { disruptionDomain } from './schedule.js';

const HOLDS_STATE = new Set<PlanStep['action']>(['backup-state', 'replace-vm']);

/** Every ordered set partition of `items` (Fubini: 541 for 5 items). */
function orderedPartitions<T>(items: T[]): T[][][] {
  if (items.length === 0) return [[]];
  const out: T[][][] = [];
  // Choose the first block (any non-empty subset), then order the rest.
  const n = items.length;
  for (let mask = 1; mask < 1 << n; mask++) {
    const block = items.filter((_, i) => mask & (1 << i));
    const rest = items.filter((_, i) => !(mask & (1 << i)));
    for (const tail of orderedPartitions(rest)) out.push([block, ...tail]);
  }
  return out;
}

/**
 * The workers phase run as `batches` say: each batch starts, in order, as soon as the budget
 * allows it (W workers, K domains out at once, a unit out from its first step to its last);
 * state steps queue for the one state; a batch's one backup is taken by the first of its units
 * to get there (engine/steps/vm-batch-backup.ts); its VMs are one apply once all its units are there.
 */
function makespan(
  plan: Plan,
  batches: InventoryNode[][],
  w: number,
  k: number,
  d: StepDurations,
): number {
  const units = plan.phases.find((p) => p.id === 'workers')!.units;
  const stepsOf = new Map(units.map((u) => [u.node, u.steps]));
  const secondsOf = new Map(units.map((u) => [u.node, stepMinimums(u.steps, d)]));
  type Cohort = { units: Running[]; backupDoneAt?: number };
  type Running = { node: InventoryNode; next: number; at: number; cohort: Cohort };
  let running: Running[] = [];
  const queue = [...batches];
  const waiting = new Set<Running>();
  let now = 0;
  let stateFreeAt = 0;
  const tryStart = () => {
    const batch = queue[0];
    if (!batch) return;
    const out = [...running.map((r) => r.node), ...batch];
    if (out.length > w || new Set(out.map(disruptionDomain)).size > k) return;
    queue.shift();
    const cohort: Cohort = { units: [] };
    for (const node of batch) cohort.units.push({ node, next: 0, at: now, cohort });
    running.push(...cohort.units);
    tryStart();
  };
  tryStart();
  while (running.length > 0) {
    const unit = running.filter((r) => !waiting.has(r)).reduce((a, b) => (b.at < a.at ? b : a));
    const steps = stepsOf.get(unit.node.name)!;
    if (unit.next === steps.length) {
      now = unit.at;
      running = running.filter((r) => r !== unit);
      tryStart();
      continue;
    }
    const action = steps[unit.next]!.action;
    const seconds = secondsOf.get(unit.node.name)![unit.next]!;
    if (action === 'replace-vm') {
      waiting.add(unit);
      if (!unit.cohort.units.every((r) => waiting.has(r))) continue;
      const begin = Math.max(stateFreeAt, ...unit.cohort.units.map((r) => r.at));
      stateFreeAt = begin + seconds;
      for (const r of unit.cohort.units) {
        waiting.delete(r);
        r.at = stateFreeAt;
        r.next++;
      }
      continue;
    }
    // The cohort's one backup: the first unit there takes it, the others wait for it.
    if (action === 'backup-state' && unit.cohort.backupDoneAt !== undefined) {
      unit.at = Math.max(unit.at, unit.cohort.backupDoneAt);
      unit.next++;
      continue;
    }
    const begin = HOLDS_STATE.has(action) ? Math.max(unit.at, stateFreeAt) : unit.at;
    unit.at = begin + seconds;
    if (HOLDS_STATE.has(action)) stateFreeAt = unit.at;
    if (action === 'backup-state') unit.cohort.backupDoneAt = unit.at;
    unit.next++;
  }
  expect(queue).toEqual([]);
  return now;
}

/** `count` workers of the reference cluster on the first `hosts` hosts, round robin. */
function smallCluster(count: number, hosts: number): Inventory {
  const inventory = referenceInventory();
  const hostNames = ['baldar', 'heimdall', 'odin'].slice(0, hosts);
  const workers = inventory.nodes.filter((n) => n.role === 'worker');
  const gpu = workers.find((n) => n.gpu)!;
  const base = workers.find((n) => !n.gpu)!;
  const nodes = Array.from({ length: count }, (_, i): InventoryNode => ({
    ...(i === 0 ? gpu : base),
    name: `w-${i}`,
    host: hostNames[i % hostNames.length]!,
  }));
  return { ...inventory, nodes };
}

/** The cattle plan of `inventory` with its workers phase alone. */
function workersPlan(inventory: Inventory, w: number, k: number): Plan {
  const policy = {
    ...DEFAULT_POLICY,
    disruption: {
      ...DEFAULT_POLICY.disruption,
      maxUnavailableWorkers: w,
      maxUnavailableDomains: k,
    },
  };
  const plan = buildPlan('cattle', { inventory, policy, from: '1.10.8', to: '1.11.0' });
  return { ...plan, phases: plan.phases.filter((p) => p.id === 'workers') };
}

const DURATIONS: [string, StepDurations][] = [
  ['default durations', DEFAULT_STEP_DURATIONS],
  // A quick state: the budget and the boots decide, not the state.
  ['a quick state', { ...DEFAULT_STEP_DURATIONS, 'backup-state': 5, 'replace-vm': 30 }],
  // A slow state: the applies decide.
  ['a slow state', { ...DEFAULT_STEP_DURATIONS, 'backup-state': 60, 'replace-vm': 900 }],
];

const CLUSTERS: [number, number][] = [
  [3, 1],
  [4, 2],
  [5, 2],
  [5, 3],
];

const POLICIES: [number, number][] = [
  [1, 1],
  [2, 1],
  [3, 1],
  [2, 2],
  [3, 2],
  [5, 3],
];

describe('lower bound: exhaustive search over batched schedules', () => {
  it.each(DURATIONS)('no schedule beats it, %s', (_name, d) => {
    let schedules = 0;
    let closest = Infinity;
    for (const [count, hosts] of CLUSTERS) {
      const inventory = smallCluster(count, hosts);
      const workers = inventory.nodes.filter((n) => n.role === 'worker');
      for (const [w, k] of POLICIES) {
        const plan = workersPlan(inventory, w, k);
        const bound = lowerBoundSeconds(plan, inventory, d);
        let best = Infinity;
        for (const batches of orderedPartitions(workers)) {
          const fits = batches.every(
            (b) => b.length <= w && new Set(b.map(disruptionDomain)).size <= k,
          );
          if (!fits) continue;
          const m = makespan(plan, batches, w, k, d);
          expect(m, `${count} workers on ${hosts} hosts, W=${w} K=${k}`).toBeGreaterThanOrEqual(
            bound - 1e-9,
          );
          best = Math.min(best, m);
          schedules++;
        }
        closest = Math.min(closest, best / bound);
      }
    }
    expect(schedules).toBeGreaterThan(1000);
    // Not a vacuous bound: some best schedule reaches it exactly.
    expect(closest).toBeCloseTo(1, 9);
  });
});
