import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import type { InventoryNode } from './inventory.js';
import { findNode } from './inventory.js';
import { DEFAULT_POLICY } from './policy.js';
import type { DisruptionPolicy } from './policy.js';
import { pickRunnableUnits, takeDownDecision } from './schedule.js';

// Reference workers are OSD nodes, one storage domain per Proxmox host:
// 1-3 baldar, 4-6 heimdall, 7-9 odin, 10-12 thor.
const inventory = referenceInventory();
const node = (n: number): InventoryNode => findNode(inventory, `k8s-work-${n}`)!;
const nodes = (ns: number[]): InventoryNode[] => ns.map(node);
const plain = (n: number): InventoryNode => ({ ...node(n), storage: undefined });
const numbers = (picked: InventoryNode[]): number[] =>
  picked.map((p) => Number(p.name.replace('k8s-work-', '')));
const budget = (workers: number, domains: number): DisruptionPolicy => ({
  ...DEFAULT_POLICY.disruption,
  maxUnavailableWorkers: workers,
  maxUnavailableDomains: domains,
});
const ALL = Array.from({ length: 12 }, (_, i) => i + 1);

describe('pickRunnableUnits: storage domains capped by what the pools tolerate', () => {
  it.each<[string, [number, number], number | undefined, number[], number[], number[], number[]]>([
    // name, [workers, domains], pool tolerance, pending, inProgress, outOfService, expected
    ['policy 2 domains, pools tolerate 1: one host only', [6, 2], 1, ALL, [], [], [1, 2, 3]],
    ['policy 2 domains, pools tolerate 2: two hosts', [6, 2], 2, ALL, [], [], [1, 2, 3, 4, 5, 6]],
    [
      'policy 2 domains, no pools declared: the policy',
      [6, 2],
      undefined,
      ALL,
      [],
      [],
      [1, 2, 3, 4, 5, 6],
    ],
    ['policy 1, pools tolerate 3: the policy still caps', [6, 1], 3, ALL, [], [], [1, 2, 3]],
    ['in progress on one host, tolerance 1: only that host', [6, 2], 1, [2, 3, 4], [1], [], [2, 3]],
    ['a node down on its own on another host uses the tolerance', [6, 2], 1, ALL, [], [8], [7, 9]],
    ['tolerance 0 (unknown pools): no new OSD domain', [6, 2], 0, ALL, [], [], []],
    ['tolerance 0: a domain already down may still be finished', [6, 2], 0, [2, 4], [1], [], [2]],
  ])('%s', (_name, [w, d], tolerance, pending, inProgress, outOfService, expected) => {
    const picked = pickRunnableUnits({
      pending: nodes(pending),
      inProgress: nodes(inProgress),
      outOfService: nodes(outOfService),
      policy: budget(w, d),
      poolTolerance: tolerance,
    });
    expect(numbers(picked)).toEqual(expected);
  });

  it('workers without OSDs are not held back by the pools (only by the policy)', () => {
    const pending = [plain(4), plain(7)];
    const picked = pickRunnableUnits({
      pending,
      inProgress: nodes([1]),
      outOfService: [],
      policy: budget(6, 3),
      poolTolerance: 1,
    });
    expect(numbers(picked)).toEqual([4, 7]);
  });
});

describe('takeDownDecision: the pre-act re-check uses the same cap', () => {
  it.each<[string, number, number[], number | undefined, [number, number], 'pass' | 'wait']>([
    // name, node, down, tolerance, [workers, domains], verdict
    ['a second host under policy 2 while pools tolerate 1 waits', 4, [1], 1, [6, 2], 'wait'],
    ['a second host under policy 2 while pools tolerate 2 passes', 4, [1], 2, [6, 2], 'pass'],
    ['the same host passes', 2, [1], 1, [6, 2], 'pass'],
    ['no pools declared: the policy', 4, [1], undefined, [6, 2], 'pass'],
    ['a node down on its own counts', 4, [8], 1, [6, 2], 'wait'],
    ['tolerance 0: even the first OSD domain waits', 4, [], 0, [6, 2], 'wait'],
  ])('%s', (_name, n, down, tolerance, [w, d], verdict) => {
    const decision = takeDownDecision({
      node: node(n),
      down: nodes(down),
      policy: budget(w, d),
      poolTolerance: tolerance,
    });
    expect(decision.verdict).toBe(verdict);
  });

  it('says the pools are the cap', () => {
    const decision = takeDownDecision({
      node: node(4),
      down: nodes([1]),
      policy: budget(6, 2),
      poolTolerance: 1,
    });
    expect(decision.verdict === 'wait' && decision.reason).toBe(
      'storage failure domains down would be 2 (baldar, heimdall); the Ceph pools tolerate 1',
    );
  });
});
