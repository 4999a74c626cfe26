import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import {
  BOOT_VARIATION,
  DEFAULT_STEP_DURATIONS,
  STEP_COST,
  boundSeconds,
  stepMinimums,
} from './durations.js';
import type { StepDurations } from './durations.js';
import type { Inventory, InventoryNode } from './inventory.js';
import { findNode } from './inventory.js';
import { lowerBoundSeconds } from './lower-bound.js';
import { leadInOf, releasesStateAfter } from './lead-in.js';
import { STEP_ACTIONS } from './plan.js';
import type { Plan, PlanStep, StepAction, UpgradeKind } from './plan.js';
import { buildPlan } from './plan-build.js';
import { DEFAULT_POLICY } from './policy.js';
import type { Policy } from './policy.js';
import { disruptionFor, pickRunnableUnits } from './schedule.js';
import { exampleStep } from './testing/example-steps.js';

const D = DEFAULT_STEP_DURATIONS;

const HOLDS_STATE = new Set<PlanStep['action']>(['backup-state', 'replace-vm']);

/**
 * Units under the disruption policy, step by step: the real scheduler starts units whenever one
 * finishes, and steps that hold the one Terraform state queue for it, as the engine's mutex does.
 * Units started together replace their VMs in one apply once all of them are there (vm-batch).
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
  // Every step takes the shortest time it can: the fastest run the world could give.
  const secondsOf = new Map(units.map((u) => [u.node, stepMinimums(u.steps, d)]));
  type Running = { node: InventoryNode; next: number; at: number; cohort: Running[] };
  // A cohort's one backup (engine/steps/vm-batch-backup.ts): when it was taken, by cohort.
  const backupDoneAt = new Map<Running[], number>();
  let pending = units.map((u) => node(u.node));
  let running: Running[] = [];
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
    const cohort: Running[] = [];
    for (const n of picked) cohort.push({ node: n, next: 0, at: now, cohort });
    running.push(...cohort);
  };
  const waiting = new Set<Running>();
  startUnits();
  while (running.length > 0) {
    const unit = running.filter((r) => !waiting.has(r)).reduce((a, b) => (b.at < a.at ? b : a));
    const steps = stepsOf.get(unit.node.name)!;
    if (unit.next === steps.length) {
      now = unit.at;
      running = running.filter((r) => r !== unit);
      startUnits();
      continue;
    }
    const step = steps[unit.next]!;
    const seconds = secondsOf.get(unit.node.name)![unit.next]!;
    if (step.action === 'replace-vm') {
      waiting.add(unit);
      const members = unit.cohort.filter((r) => running.includes(r));
      if (!members.every((r) => waiting.has(r))) continue;
      const begin = Math.max(stateFreeAt, ...members.map((r) => r.at));
      stateFreeAt = begin + seconds;
      for (const r of members) {
        waiting.delete(r);
        r.at = stateFreeAt;
        r.next++;
      }
      continue;
    }
    const shared = step.action === 'backup-state' ? backupDoneAt.get(unit.cohort) : undefined;
    if (shared !== undefined) {
      unit.at = Math.max(unit.at, shared);
      unit.next++;
      continue;
    }
    const begin = HOLDS_STATE.has(step.action) ? Math.max(unit.at, stateFreeAt) : unit.at;
    unit.at = begin + seconds;
    if (HOLDS_STATE.has(step.action)) stateFreeAt = unit.at;
    if (step.action === 'backup-state') backupDoneAt.set(unit.cohort, unit.at);
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
    // Template rebuilds in waves of the allowed concurrency, each one backup and one apply.
    const slots = plan.policy.disruption.templateRebuildConcurrency;
    let wave: PlanStep[] = [];
    const endWave = () => {
      if (wave.length > 0)
        now += d['backup-state'] + Math.max(...wave.map((s) => boundSeconds([s], d)));
      wave = [];
    };
    for (const step of phase.steps) {
      if (step.action === 'rebuild-template') {
        wave.push(step);
        if (wave.length === slots) endWave();
      } else {
        endWave();
        now += boundSeconds([step], d);
      }
    }
    endWave();
    if (phase.concurrency === 'one-at-a-time') {
      // One after the other; a unit's lead-in (core/lead-in.ts) starts once the unit before
      // released the state, and the rest of it once that unit is done.
      let released: number | undefined;
      for (const unit of phase.units) {
        const mins = stepMinimums(unit.steps, d);
        const lead = leadInOf(unit).length;
        const release = releasesStateAfter(unit);
        let at = released ?? now;
        released = undefined;
        unit.steps.forEach((s, i) => {
          if (i === lead) at = Math.max(at, now);
          at += mins[i]!;
          if (s === release) released = at;
        });
        now = Math.max(at, now);
      }
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

const step = (action: StepAction): PlanStep => exampleStep(action, 'n');

/** Shortest seconds of each action on its own, with the default durations. */
const ALONE: Record<StepAction, number> = {
  'rebuild-template': 180,
  'verify-templates': 0,
  'gate-etcd': 0,
  'gate-api-stable': 0,
  'gate-health': 0,
  'storage-noout-set': 2,
  'storage-noout-unset': 2,
  cordon: 1,
  drain: 0,
  'backup-state': 10,
  'check-replace-plan': 8,
  'etcd-leave': 10,
  'replace-vm': 300,
  // Boots: 90 % of nominal.
  'wait-maintenance': 216,
  'apply-config': 20,
  'talos-upgrade': 216,
  'wait-ready': 0,
  'verify-version': 0,
  'wait-etcd-rejoin': 0,
  'wait-gpu': 0,
  uncordon: 1,
  'post-checks': 0,
  'k8s-upgrade': 600,
  'validate-cluster': 0,
};

describe('step minimums (durations.ts)', () => {
  it('classifies every action', () => {
    expect(Object.keys(STEP_COST).sort()).toEqual([...STEP_ACTIONS].sort());
  });

  it.each(Object.entries(ALONE) as [StepAction, number][])('%s alone: %d s', (action, want) => {
    expect(boundSeconds([step(action)], D)).toBe(want);
  });

  it.each<[string, PlanStep[], number[]]>([
    // The node boots 135..165 s after the apply starts; the apply's 20 s already count.
    // The machine boots with its config once the apply returned: 135..165 s after it.
    [
      'wait-ready after apply-config: the shortest boot, after the apply',
      [step('apply-config'), step('wait-ready')],
      [20, (1 - BOOT_VARIATION) * 150],
    ],
    // The fresh member joins at that boot and is healthy 27..33 s later; the GPUs 54..66 s.
    [
      'wait-etcd-rejoin and wait-gpu after a fresh boot: their shortest waits',
      [
        step('apply-config'),
        step('wait-ready'),
        step('verify-version'),
        step('wait-etcd-rejoin'),
        step('wait-gpu'),
      ],
      [20, 135, 0, 27, 54],
    ],
    [
      'wait-etcd-rejoin and wait-gpu after an in-place upgrade: nothing (they came up during it)',
      [step('talos-upgrade'), step('wait-ready'), step('wait-etcd-rejoin'), step('wait-gpu')],
      [216, 0, 0, 0],
    ],
    // talosctl upgrade --wait returns with the node back from its reboot.
    [
      'wait-ready after talos-upgrade: nothing',
      [step('talos-upgrade'), step('wait-ready')],
      [216, 0],
    ],
    ['wait-ready after anything else: nothing', [step('replace-vm'), step('wait-ready')], [300, 0]],
    [
      'a Kubernetes dry run changes nothing; the upgrade runs its course',
      [
        exampleStep('k8s-upgrade', 'n', { to: '1.34.1', dryRun: true }),
        exampleStep('k8s-upgrade', 'n', { to: '1.34.1', dryRun: false }),
      ],
      [0, 600],
    ],
  ])('%s', (_name, steps, want) => {
    expect(stepMinimums(steps, D)).toEqual(want);
    expect(boundSeconds(steps, D)).toBe(want.reduce((a, b) => a + b, 0));
  });

  it('however long the config apply, the boot comes after it', () => {
    const slowApply = { ...D, 'apply-config': 200 };
    expect(stepMinimums([step('apply-config'), step('wait-ready')], slowApply)).toEqual([200, 135]);
  });
});

/** Cattle units of the reference cluster (every worker is an OSD node) at the default durations. */
const CATTLE_CONTROL_PLANE = 1 + 10 + 8 + 10 + 300 + 216 + 20 + 135 + 27 + 1;
const CATTLE_WORKER = 2 + 1 + 10 + 300 + 216 + 20 + 135 + 2 + 1;
/**
 * The second and third control plane nodes' lead-in (their backup, core/lead-in.ts) runs while
 * the node before boots: hidden whole (the boot after a replacement is far longer).
 */
const LEAD_IN_HIDDEN = 2 * 10;
/** The reference cluster's two GPU workers wait at least 54 s more for their GPUs. */
const GPU_WAIT = 54;
/** Each template wave: its backup, then its rebuild. */
const TEMPLATE_WAVE = 10 + 180;
/** Pets: the cordon, the upgrade (a boot) and the writes around it; everything else is a check. */
const PETS_CONTROL_PLANE = 1 + 216 + 1;
const PETS_WORKER = 2 + 1 + 216 + 2 + 1;

describe('lowerBoundSeconds', () => {
  it.each<[UpgradeKind, number]>([
    [
      'cattle',
      6 * TEMPLATE_WAVE +
        3 * CATTLE_CONTROL_PLANE -
        LEAD_IN_HIDDEN +
        12 * CATTLE_WORKER +
        2 * GPU_WAIT,
    ],
    ['pets', 3 * PETS_CONTROL_PLANE + 12 * PETS_WORKER],
    // Two hops (1.33, then 1.34.1), each a dry run (0) and an upgrade.
    ['kubernetes', 2 * 600],
  ])(
    '%s, fully sequential policy: the sum of the step minimums less the hidden lead-ins, reached by a schedule (tight)',
    (kind, want) => {
      const inventory = referenceInventory();
      const plan = planFor(kind, inventory, policyOf(1, 1, 1, 1));
      expect(lowerBoundSeconds(plan, inventory, D)).toBe(want);
      expect(greedyMakespan(plan, inventory, D)).toBe(want);
    },
  );

  it('is reached by the default policy on the reference cluster (templates 2 at a time)', () => {
    const inventory = referenceInventory();
    const plan = planFor('cattle', inventory, DEFAULT_POLICY);
    const bound = lowerBoundSeconds(plan, inventory, D);
    // 6 rebuilds on 2 slots take 3 waves.
    expect(bound).toBe(
      3 * TEMPLATE_WAVE +
        3 * CATTLE_CONTROL_PLANE -
        LEAD_IN_HIDDEN +
        12 * CATTLE_WORKER +
        2 * GPU_WAIT,
    );
    expect(greedyMakespan(plan, inventory, D)).toBe(bound);
  });

  // A quick state (backups and replacements 35 s) lets the disruption budget decide.
  const QUICK_STATE: StepDurations = { ...D, 'backup-state': 5, 'replace-vm': 30 };
  const QUICK_WORKER = CATTLE_WORKER - 10 - 300 + 5 + 30;
  /**
   * The one-state bound over `n` workers, at most `w` of them per apply: 3 s before the first
   * backup, ceil(n / w) batches each of one shared backup and one apply, one after the other,
   * then the 374 s after the last replacement.
   */
  const stateBound = (d: StepDurations, n: number, w: number) =>
    3 + Math.ceil(n / w) * (d['backup-state'] + d['replace-vm']) + (216 + 20 + 135 + 2 + 1);
  /** A GPU worker whose batch mate took the shared backup: it waits for it, holding nothing. */
  const gpuWorker = (d: StepDurations) =>
    (d === D ? CATTLE_WORKER : QUICK_WORKER) + GPU_WAIT - d['backup-state'];
  const allWorkers = (d: StepDurations) => 12 * (d === D ? CATTLE_WORKER : QUICK_WORKER) + 108;
  /** The same units spread over `w` slots: one shared backup per batch of w, not one per worker. */
  const spread = (d: StepDurations, w: number) =>
    (allWorkers(d) - 12 * d['backup-state'] + Math.ceil(12 / w) * d['backup-state']) / w;

  it.each<[string, StepDurations, [number, number, number], number]>([
    // 4 hosts of 3 workers, one host at a time: within a host the 3 workers share one backup
    // and the 3 VMs are one apply; a GPU host is active at least as long as its GPU worker.
    ['defaults, 3 at once in one host', D, [3, 1, 2], 2 * stateBound(D, 3, 3) + 2 * gpuWorker(D)],
    // Two at a time: the work spread over 2 slots.
    ['defaults, 2 workers over 2 hosts', D, [2, 2, 2], spread(D, 2)],
    // Everything at once: one backup and one apply; the longest (GPU) worker decides.
    ['defaults, unlimited', D, [12, 4, 2], gpuWorker(D)],
    [
      'quick state, 3 at once in one host',
      QUICK_STATE,
      [3, 1, 2],
      2 * stateBound(QUICK_STATE, 3, 3) + 2 * gpuWorker(QUICK_STATE),
    ],
    ['quick state, 2 workers over 2 hosts', QUICK_STATE, [2, 2, 2], spread(QUICK_STATE, 2)],
    ['quick state, unlimited', QUICK_STATE, [12, 4, 2], gpuWorker(QUICK_STATE)],
  ])('workers phase: %s', (_name, d, [w, k, t], workersBound) => {
    const inventory = referenceInventory();
    const sequential = planFor('cattle', inventory, policyOf(1, 1, t));
    const plan = planFor('cattle', inventory, policyOf(w, k, t));
    const workerUnits = (p: Plan) =>
      p.phases[2]!.units.reduce((s, u) => s + boundSeconds(u.steps, d), 0);
    const sequentialBound = lowerBoundSeconds(sequential, inventory, d);
    expect(workerUnits(sequential)).toBe(allWorkers(d));
    const bound = lowerBoundSeconds(plan, inventory, d);
    expect(bound).toBe(sequentialBound - workerUnits(sequential) + workersBound);
    expect(bound).toBeLessThanOrEqual(greedyMakespan(plan, inventory, d));
  });

  it('never exceeds a valid schedule, over generated clusters, policies and kinds', () => {
    let checked = 0;
    let tight = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const inventory = generatedInventory(seed);
      for (const [w, k, t] of POLICIES) {
        for (const kind of ['cattle', 'pets'] as const) {
          const plan = planFor(kind, inventory, policyOf(w, k, t, 1 + (seed % 4)));
          const bound = lowerBoundSeconds(plan, inventory, D);
          const makespan = greedyMakespan(plan, inventory, D);
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

  it.each<[string, UpgradeKind, StepAction, number]>([
    // Work: every one of the 15 nodes pays the extra 100 s.
    ['cattle, replace-vm', 'cattle', 'replace-vm', 15 * 100],
    // Boots: 90 % of the extra time.
    ['cattle, the VM boot', 'cattle', 'wait-maintenance', 15 * 90],
    ['cattle, wait-ready after the config apply', 'cattle', 'wait-ready', 15 * 90],
    ['pets, talos-upgrade', 'pets', 'talos-upgrade', 15 * 90],
    // The upgrade already waited for the node: nothing more.
    ['pets, wait-ready', 'pets', 'wait-ready', 0],
    // Checks cost nothing, however long they may take.
    ['cattle, drain', 'cattle', 'drain', 0],
    ['cattle, post-checks', 'cattle', 'post-checks', 0],
  ])('follows the durations it is given: %s + 100 s', (_name, kind, action, extra) => {
    const inventory = referenceInventory();
    const plan = planFor(kind, inventory, DEFAULT_POLICY);
    const slower = { ...D, [action]: D[action] + 100 };
    expect(lowerBoundSeconds(plan, inventory, slower) - lowerBoundSeconds(plan, inventory, D)).toBe(
      extra,
    );
  });

  it('refuses a plan whose nodes are not in the inventory', () => {
    const inventory = referenceInventory();
    const plan = planFor('cattle', inventory, DEFAULT_POLICY);
    const other = { ...inventory, nodes: inventory.nodes.slice(0, 5) };
    expect(() => lowerBoundSeconds(plan, other, D)).toThrow(
      expect.objectContaining({ code: 'PLAN_INVENTORY_MISMATCH' }),
    );
  });
});
