/**
 * `simulate --chaos SEED`: a seeded random mix of the fault types that exist, each with a random
 * trigger (seconds, or a request with a node, a moment and a delay). Every fault type has one
 * entry in CHAOS_FAULTS; a new type joins chaos with one line there (return undefined when the
 * scenario has nothing it could hit). The result is validated like any scenario.
 */
import type { UpgradeKind } from '../../../core/plan.js';
import { SeededRandom } from '../world/rng.js';
import { OPERATIONS, type Operation } from './fault-timing.js';
import { parseScenario } from './load.js';
import { FAULTABLE_ACTIONS } from './faults-schema.js';
import type { Scenario } from './schema.js';

export interface ChaosContext {
  rng: SeededRandom;
  scenario: Scenario;
  kind: UpgradeKind;
  /** Crash faults only when the caller resumes crashed runs (the chaos driver does). */
  allowCrash: boolean;
}

type FaultInput = Record<string, unknown> & { type: string };
export type ChaosDraw = (c: ChaosContext) => FaultInput | undefined;

/** Requests each kind of upgrade makes (a trigger on one it never makes would never fire). */
const REQUESTS: Record<UpgradeKind, readonly Operation[]> = {
  cattle: OPERATIONS.filter((o) => !['talos-upgrade', 'k8s-upgrade', 'wait-ready'].includes(o)),
  pets: ['cordon', 'uncordon', 'drain', 'evict', 'talos-upgrade', 'etcd-status'],
  kubernetes: ['k8s-upgrade', 'etcd-status'],
};

export function pick<T>(rng: SeededRandom, items: readonly T[]): T | undefined {
  return items[Math.floor(rng.next() * items.length)];
}

function between(rng: SeededRandom, low: number, high: number): number {
  return Math.round(low + rng.next() * (high - low));
}

export function pickNode(c: ChaosContext, role?: 'controlplane' | 'worker'): string | undefined {
  return pick(
    c.rng,
    c.scenario.nodes.filter((n) => !role || n.role === role).map((n) => n.name),
  );
}

/** A random timing block: by seconds, or keyed to a request (fault-timing.ts). */
export function randomTiming(c: ChaosContext, lasting = true): Record<string, unknown> {
  const { rng } = c;
  const forSeconds = lasting || rng.next() < 0.8 ? between(rng, 30, 2400) : undefined;
  if (rng.next() < 0.4) {
    const from = between(rng, 0, 6 * 3600);
    return forSeconds === undefined
      ? { fromSeconds: from }
      : { fromSeconds: from, untilSeconds: from + forSeconds };
  }
  const node = rng.next() < 0.7 ? pickNode(c) : undefined;
  return {
    when: {
      request: pick(rng, REQUESTS[c.kind]),
      ...(node ? { node } : {}),
      moment: rng.next() < 0.5 ? 'before' : 'after',
      delaySeconds: rng.next() < 0.5 ? 0 : between(rng, 1, 300),
      ...(forSeconds !== undefined ? { forSeconds } : {}),
    },
  };
}

function guardedWorkload(c: ChaosContext): { namespace: string; name: string } | undefined {
  const w = c.scenario.workloads;
  const guarded = [...w.deployments, ...w.statefulsets].filter((d) => d.pdb);
  const hit = pick(c.rng, guarded);
  return hit ? { namespace: hit.namespace, name: hit.name } : undefined;
}

/** One entry per fault type. */
export const CHAOS_FAULTS: Record<string, ChaosDraw> = {
  'step-fails': (c) => ({
    type: 'step-fails',
    action: pick(c.rng, FAULTABLE_ACTIONS),
    ...(c.rng.next() < 0.6 ? { node: pickNode(c) } : {}),
    times: c.rng.next() < 0.15 ? 'always' : between(c.rng, 1, 2),
  }),
  'never-ready': (c) => ({ type: 'never-ready', node: pickNode(c) }),
  'pdb-blocks': (c) => {
    const w = guardedWorkload(c);
    return w ? { type: 'pdb-blocks', ...w, ...randomTiming(c) } : undefined;
  },
  'etcd-unhealthy': (c) => ({
    type: 'etcd-unhealthy',
    node: pickNode(c, 'controlplane'),
    ...randomTiming(c, false),
  }),
  's3-unavailable': (c) => ({ type: 's3-unavailable', ...randomTiming(c) }),
  'plan-extra-resource': (c) =>
    c.kind === 'cattle' ? { type: 'plan-extra-resource', node: pickNode(c) } : undefined,
  'old-vm-lingers': (c) =>
    c.kind === 'cattle' ? { type: 'old-vm-lingers', node: pickNode(c) } : undefined,
  'node-down': (c) => ({ type: 'node-down', node: pickNode(c), ...randomTiming(c, false) }),
  crash: (c) => (c.allowCrash ? { type: 'crash', ...randomTiming(c, false) } : undefined),
  'plan-changes-module-resource': (c) =>
    c.kind === 'cattle'
      ? {
          type: 'plan-changes-module-resource',
          node: pickNode(c),
          resource: pick(c.rng, ['talos_machine_bootstrap.this', 'random_id.suffix']),
        }
      : undefined,
  'tf-lock-held': (c) =>
    c.kind === 'cattle' ? { type: 'tf-lock-held', ...bySeconds(c) } : undefined,
  'tf-lock-error': (c) =>
    c.kind === 'cattle' ? { type: 'tf-lock-error', ...bySeconds(c) } : undefined,
  'crash-during-apply': (c) =>
    c.kind === 'cattle' && c.allowCrash
      ? { type: 'crash-during-apply', node: pickNode(c) }
      : undefined,
  'backup-reads-back-different': (c) =>
    c.kind === 'cattle'
      ? { type: 'backup-reads-back-different', times: between(c.rng, 1, 2) }
      : undefined,
  'talos-upgrade-drops': (c) =>
    c.kind === 'pets' ? { type: 'talos-upgrade-drops', node: pickNode(c) } : undefined,
  'talos-rolls-back': (c) =>
    c.kind === 'pets' ? { type: 'talos-rolls-back', node: pickNode(c) } : undefined,
  'talos-never-back': (c) =>
    c.kind === 'pets' ? { type: 'talos-never-back', node: pickNode(c) } : undefined,
  'etcd-leader': (c) => ({ type: 'etcd-leader', node: pickNode(c, 'controlplane') }),
  'k8s-removed-apis': (c) => (c.kind === 'kubernetes' ? { type: 'k8s-removed-apis' } : undefined),
  'workload-crashloop': (c) => {
    const w = pick(c.rng, [
      ...c.scenario.workloads.deployments.map((d) => ({ kind: 'Deployment', ...d })),
      ...c.scenario.workloads.statefulsets.map((d) => ({ kind: 'StatefulSet', ...d })),
    ]);
    return w
      ? {
          type: 'workload-crashloop',
          kind: w.kind,
          namespace: w.namespace,
          name: w.name,
          ...bySeconds(c),
        }
      : undefined;
  },
  'rook-operator-stopped': (c) =>
    c.scenario.storage.ceph ? { type: 'rook-operator-stopped', ...bySeconds(c) } : undefined,
  'ceph-warn': (c) =>
    c.scenario.storage.ceph
      ? {
          type: 'ceph-warn',
          check: pick(c.rng, ['MON_CLOCK_SKEW', 'OSD_NEARFULL', 'POOL_NO_REDUNDANCY']),
          ...bySeconds(c),
        }
      : undefined,
  'lease-held-by-dead-runner': (c) => ({
    type: 'lease-held-by-dead-runner',
    renewedSecondsAgo: between(c.rng, 0, 600),
  }),
  'skewed-runner': (c) => ({
    type: 'skewed-runner',
    skewSeconds: between(c.rng, -3600, 3600),
    fromSeconds: between(c.rng, 0, 6 * 3600),
    holdSeconds: between(c.rng, 60, 2400),
  }),
};

/** Timing by seconds only, for fault types without a `when`. */
function bySeconds(c: ChaosContext): Record<string, number> {
  const from = between(c.rng, 0, 6 * 3600);
  return { fromSeconds: from, untilSeconds: from + between(c.rng, 30, 2400) };
}

/** Fault types that end every run they hit are drawn less often, so chaos reaches further. */
const RARE: ReadonlySet<string> = new Set(['never-ready', 'plan-extra-resource', 'old-vm-lingers']);

function pickType(rng: SeededRandom): string | undefined {
  const types = Object.keys(CHAOS_FAULTS);
  const weight = (t: string) => (RARE.has(t) ? 0.3 : 1);
  let left = rng.next() * types.reduce((sum, t) => sum + weight(t), 0);
  for (const t of types) {
    left -= weight(t);
    if (left < 0) return t;
  }
  return types.at(-1);
}

/** How many faults a chaos scenario gets, at most. */
const MAX_FAULTS = 3;

/** The scenario with a seeded random mix of faults added (validated like a scenario file). */
export function withChaos(
  scenario: Scenario,
  seed: number,
  options: { kind?: UpgradeKind; allowCrash?: boolean } = {},
): Scenario {
  const c: ChaosContext = {
    rng: SeededRandom.fromSeed(seed),
    scenario,
    kind: options.kind ?? scenario.upgrade.kind,
    allowCrash: options.allowCrash ?? false,
  };
  const faults: FaultInput[] = [];
  const count = between(c.rng, 1, MAX_FAULTS);
  for (let tries = 0; faults.length < count && tries < 20; tries++) {
    const draw = CHAOS_FAULTS[pickType(c.rng) ?? ''];
    const fault = draw?.(c);
    if (fault) faults.push(fault);
  }
  return parseScenario(
    {
      ...scenario,
      name: `${scenario.name}+chaos-${seed}`,
      faults: [...scenario.faults, ...faults],
    },
    `${scenario.name} with --chaos ${seed}`,
  );
}
