import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { DEFAULT_STEP_DURATIONS } from './durations.js';
import type { StepDurations } from './durations.js';
import type { Inventory, InventoryNode } from './inventory.js';
import { findNode } from './inventory.js';
import { lowerBoundSeconds } from './lower-bound.js';
import { allSteps } from './plan.js';
import type { Plan, PlanStep, UpgradeKind } from './plan.js';
import { buildPlan } from './plan-build.js';
import { DEFAULT_POLICY } from './policy.js';
import type { Policy } from './policy.js';
import { disruptionFor, pickRunnableUnits } from './schedule.js';

const seconds = (steps: PlanStep[], d: StepDurations) => steps.reduce((s, x) => s + d[x.action], 0);

const HOLDS_STATE = new Set<PlanStep['action']>(['backup-state', 'replace-vm']);

/**
 * Units under the disruption policy, step by step: the real scheduler starts units whenever one
 * finishes, and steps that hold the one Terraform state queue for it, as the engine's mutex does.
 */
function unitsMakespan(
  units: Plan['phases'][number]['units'],
  start: number,
  policy: ReturnType<typeof disruptionFor>,
  inventory: Inventory,
  d: StepDurations,
): number {
  const node = (name: string): InventoryNode => findNode(inventory, name)!;
  const stepsOf = new Map(units.map((u) => [u.node, u.steps]));
  let pending = units.map((u) => node(u.node));
  let running: { node: InventoryNode; next: number; at: number }[] = [];
  let now = start;
  let stateFreeAt = start;
  const startUnits = () => {
    const picked = pickRunnableUnits({
      pending,
      inProgress: running.map((r) => r.node),
      outOfService: [],
      policy,
    });
    pending = pending.filter((p) => !picked.includes(p));
    running.push(...picked.map((n) => ({ node: n, next: 0, at: now })));
  };
  startUnits();
  while (running.length > 0) {
    const unit = running.reduce((a, b) => (b.at < a.at ? b : a));
    const steps = stepsOf.get(unit.node.name)!;
    if (unit.next === steps.length) {
      now = unit.at;
      running = running.filter((r) => r !== unit);
      startUnits();
      continue;
    }
    const step = steps[unit.next]!;
    const begin = HOLDS_STATE.has(step.action) ? Math.max(unit.at, stateFreeAt) : unit.at;
    unit.at = begin + d[step.action];
    if (HOLDS_STATE.has(step.action)) stateFreeAt = unit.at;
    unit.next++;
  }
  if (pending.length > 0) throw new Error('the scheduler deadlocked');
  return now;
}

/**
 * A simple valid schedule, independent of the estimate: template rebuilds greedily on the
 * allowed slots, control plane one by one, workers started by the real scheduler whenever a unit
 * finishes. Its makespan is what one real run could take, so the bound must never exceed it.
 */
function greedyMakespan(plan: Plan, inventory: Inventory, d: StepDurations): number {
  let now = 0;
  for (const phase of plan.phases) {
    const slots = Array<number>(plan.policy.disruption.templateRebuildConcurrency).fill(now);
    for (const step of phase.steps) {
      if (step.action === 'rebuild-template') {
        slots.sort((a, b) => a - b);
        slots[0] = slots[0]! + d[step.action];
      } else {
        now = Math.max(now, ...slots) + d[step.action];
        slots.fill(now);
      }
    }
    now = Math.max(now, ...slots);
    if (phase.concurrency === 'one-at-a-time') {
      now += phase.units.reduce((s, u) => s + seconds(u.steps, d), 0);
      continue;
    }
    now = unitsMakespan(phase.units, now, disruptionFor(plan.kind, plan.policy), inventory, d);
  }
  return now;
}

/** Deterministic pseudo-random numbers for generated inventories (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generatedInventory(seed: number): Inventory {
  const random = prng(seed);
  const inventory = referenceInventory();
  const hosts = ['h1', 'h2', 'h3', 'h4', 'h5'].slice(0, 2 + Math.floor(random() * 4));
  const workers = inventory.nodes.filter((n) => n.role === 'worker');
  const count = 1 + Math.floor(random() * 14);
  const nodes: InventoryNode[] = Array.from({ length: count }, (_, i) => {
    const template = workers[i % workers.length]!;
    const host = hosts[Math.floor(random() * hosts.length)]!;
    const gpu = random() < 0.25;
    const osd = random() < 0.7;
    const rack = random() < 0.3 ? `rack-${Math.floor(random() * 2)}` : undefined;
    return {
      ...template,
      name: `w-${i}`,
      host,
      gpu,
      template: gpu ? 'thor-gpu' : 'thor-base',
      storage: osd ? { osd, ...(rack === undefined ? {} : { failureDomain: rack }) } : undefined,
    };
  });
  return {
    ...inventory,
    nodes: [...inventory.nodes.filter((n) => n.role === 'controlplane'), ...nodes],
  };
}

function policyOf(workers: number, domains: number, templates: number, batch = 3): Policy {
  return {
    ...DEFAULT_POLICY,
    disruption: {
      maxUnavailableWorkers: workers,
      maxUnavailableDomains: domains,
      templateRebuildConcurrency: templates,
      petsBatchSize: batch,
    },
  };
}

function planFor(kind: UpgradeKind, inventory: Inventory, policy: Policy): Plan {
  const versions =
    kind === 'pets' ? { from: '1.11.0', to: '1.11.3' } : { from: '1.10.8', to: '1.11.0' };
  return buildPlan(kind, {
    inventory,
    policy,
    ...versions,
    kubernetes: { from: '1.32.3', to: '1.34.1' },
  });
}

const POLICIES: [number, number, number][] = [
  [1, 1, 1],
  [1, 1, 2],
  [2, 1, 2],
  [3, 1, 3],
  [2, 2, 1],
  [3, 2, 4],
  [4, 4, 8],
  [12, 4, 2],
];

describe('lowerBoundSeconds', () => {
  it('equals the sum of every step for the fully sequential policy (tight)', () => {
    const inventory = referenceInventory();
    for (const kind of ['cattle', 'pets', 'kubernetes'] as const) {
      const plan = planFor(kind, inventory, policyOf(1, 1, 1, 1));
      const sum = seconds(allSteps(plan), DEFAULT_STEP_DURATIONS);
      expect(lowerBoundSeconds(plan, inventory, DEFAULT_STEP_DURATIONS)).toBe(sum);
      expect(greedyMakespan(plan, inventory, DEFAULT_STEP_DURATIONS)).toBe(sum);
    }
  });

  it('is reached by the default policy on the reference cluster (templates 2 at a time)', () => {
    const inventory = referenceInventory();
    const plan = planFor('cattle', inventory, DEFAULT_POLICY);
    const bound = lowerBoundSeconds(plan, inventory, DEFAULT_STEP_DURATIONS);
    const sum = seconds(allSteps(plan), DEFAULT_STEP_DURATIONS);
    // 6 rebuilds on 2 slots save 3 of them.
    expect(bound).toBe(sum - 3 * DEFAULT_STEP_DURATIONS['rebuild-template']);
    expect(greedyMakespan(plan, inventory, DEFAULT_STEP_DURATIONS)).toBe(bound);
  });

  it.each<[string, [number, number, number], number]>([
    // Workers: 3 per host, a plain unit is 823 s and a GPU unit 883 s (wait-gpu). These are the
    // budget bounds alone; the one-state bound below is larger for each.
    // 3 at a time inside one host: each host costs its longest unit.
    ['three at once in one host', [3, 1, 2], 823 * 2 + 883 * 2],
    // Two hosts at once, two workers: the work (10 x 823 + 2 x 883) spread over 2 slots.
    ['two workers over two hosts', [2, 2, 2], (10 * 823 + 2 * 883) / 2],
    // Everything at once: the longest unit.
    ['unlimited', [12, 4, 2], 883],
  ])('workers phase: %s', (_name, [w, k, t], workersBound) => {
    // The one-state bound (68 s before the first backup, 12 x 310 s of backups and replacements,
    // 445 s after the last) dominates every parallel policy on the reference cluster.
    const stateBound = 68 + 12 * (10 + 300) + 445;
    const inventory = referenceInventory();
    const sequential = planFor('cattle', inventory, policyOf(1, 1, t));
    const plan = planFor('cattle', inventory, policyOf(w, k, t));
    const workers = (p: Plan) =>
      seconds(
        p.phases[2]!.units.flatMap((u) => u.steps),
        DEFAULT_STEP_DURATIONS,
      );
    const sequentialBound = lowerBoundSeconds(sequential, inventory, DEFAULT_STEP_DURATIONS);
    expect(workers(plan)).toBe(10 * 823 + 2 * 883);
    expect(lowerBoundSeconds(plan, inventory, DEFAULT_STEP_DURATIONS)).toBe(
      sequentialBound - workers(sequential) + Math.max(workersBound, stateBound),
    );
  });

  it('never exceeds a valid schedule, over generated clusters, policies and kinds', () => {
    let checked = 0;
    let tight = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const inventory = generatedInventory(seed);
      for (const [w, k, t] of POLICIES) {
        for (const kind of ['cattle', 'pets'] as const) {
          const plan = planFor(kind, inventory, policyOf(w, k, t, 1 + (seed % 4)));
          const bound = lowerBoundSeconds(plan, inventory, DEFAULT_STEP_DURATIONS);
          const makespan = greedyMakespan(plan, inventory, DEFAULT_STEP_DURATIONS);
          expect(bound).toBeLessThanOrEqual(makespan);
          expect(bound).toBeGreaterThan(0);
          checked++;
          if (bound === makespan) tight++;
        }
      }
    }
    expect(checked).toBe(60 * POLICIES.length * 2);
    // Not a trivial bound: it is reached in most of these cases.
    expect(tight / checked).toBeGreaterThan(0.5);
  });

  it('follows the durations it is given', () => {
    const inventory = referenceInventory();
    const plan = planFor('cattle', inventory, DEFAULT_POLICY);
    const slower = {
      ...DEFAULT_STEP_DURATIONS,
      'replace-vm': DEFAULT_STEP_DURATIONS['replace-vm'] + 100,
    };
    expect(
      lowerBoundSeconds(plan, inventory, slower) -
        lowerBoundSeconds(plan, inventory, DEFAULT_STEP_DURATIONS),
    ).toBe(15 * 100);
  });

  it('refuses a plan whose nodes are not in the inventory', () => {
    const inventory = referenceInventory();
    const plan = planFor('cattle', inventory, DEFAULT_POLICY);
    const other = { ...inventory, nodes: inventory.nodes.slice(0, 5) };
    expect(() => lowerBoundSeconds(plan, other, DEFAULT_STEP_DURATIONS)).toThrow(
      expect.objectContaining({ code: 'PLAN_INVENTORY_MISMATCH' }),
    );
  });
});
