import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { DroverError } from './errors.js';
import type { InventoryNode } from './inventory.js';
import { findNode, workerNodes } from './inventory.js';
import { DEFAULT_POLICY } from './policy.js';
import type { DisruptionPolicy } from './policy.js';
import {
  disruptionDomain,
  disruptionFor,
  pickRunnableUnits,
  takeDownDecision,
} from './schedule.js';

const inventory = referenceInventory();
const node = (n: number): InventoryNode => findNode(inventory, `k8s-work-${n}`)!;
const nodes = (ns: number[]): InventoryNode[] => ns.map(node);
const numbers = (picked: InventoryNode[]): number[] =>
  picked.map((p) => Number(p.name.replace('k8s-work-', '')));
const budget = (workers: number, domains: number): DisruptionPolicy => ({
  ...DEFAULT_POLICY.disruption,
  maxUnavailableWorkers: workers,
  maxUnavailableDomains: domains,
});
const ALL = Array.from({ length: 12 }, (_, i) => i + 1);

// Hosts: 1-3 baldar, 4-6 heimdall, 7-9 odin, 10-12 thor.
describe('pickRunnableUnits', () => {
  it.each<[string, [number, number], number[], number[], number[], number[]]>([
    // name, [workers, domains], pending, inProgress, outOfService, expected
    ['default policy: the first pending only', [1, 1], ALL, [], [], [1]],
    ['default policy: nothing while one is in progress', [1, 1], [2, 3], [1], [], []],
    ['default policy: a node down on its own blocks everything', [1, 1], ALL, [], [7], []],
    ['3 workers, 1 domain: three of the same host', [3, 1], ALL, [], [], [1, 2, 3]],
    ['3 workers, 1 domain: fills the host in progress', [3, 1], [2, 3, 4], [1], [], [2, 3]],
    ['3 workers, 1 domain: next host waits for the last one', [3, 1], [4, 5, 6], [3], [], []],
    [
      '3 workers, 1 domain: a later node of the disrupted domain overtakes a blocked one',
      [3, 1],
      [4, 5, 2],
      [1],
      [],
      [2],
    ],
    ['2 workers, 2 domains: two hosts', [2, 2], [3, 4, 5], [], [], [3, 4]],
    ['2 workers, 2 domains: same host twice is fine', [2, 2], ALL, [], [], [1, 2]],
    ['4 workers, 2 domains: third host waits', [4, 2], [3, 4, 7, 5], [1], [], [3, 4, 5]],
    ['a down node shrinks the worker budget', [3, 2], ALL, [], [12], [1, 2]],
    ['a down node uses up the only domain: only its host may go', [3, 1], ALL, [], [8], [7, 9]],
    ['a down node counts once even when also listed in progress', [2, 2], [2, 3], [1], [1], [2]],
    ['a pending node that is down on its own is not picked', [3, 1], [7, 8, 9], [], [8], [7, 9]],
    [
      'plan order kept within a domain: a blocked node holds back its domain',
      [4, 2],
      [7, 10, 8, 11],
      [1],
      [],
      [7, 8],
    ],
    ['budget exhausted by in-progress and down nodes', [2, 4], ALL, [5], [9], []],
    ['nothing pending', [3, 3], [], [], [], []],
    ['generous budget: everything at once', [12, 4], ALL, [], [], ALL],
  ])('%s', (_name, [workers, domains], pending, inProgress, outOfService, expected) => {
    const picked = pickRunnableUnits({
      pending: nodes(pending),
      inProgress: nodes(inProgress),
      outOfService: nodes(outOfService),
      policy: budget(workers, domains),
    });
    expect(numbers(picked)).toEqual(expected);
  });

  it('uses the storage failure domain of OSD nodes, the host of the others', () => {
    const rack = (n: InventoryNode, domain: string): InventoryNode => ({
      ...n,
      storage: { osd: true, failureDomain: domain },
    });
    // work-1 (baldar) and work-4 (heimdall) share rack-a; work-2 is not an OSD node.
    const w1 = rack(node(1), 'rack-a');
    const w4 = rack(node(4), 'rack-a');
    const w2: InventoryNode = { ...node(2), storage: undefined };
    expect([w1, w4, w2].map(disruptionDomain)).toEqual(['rack-a', 'rack-a', 'baldar']);
    const picked = pickRunnableUnits({
      pending: [w4, w2],
      inProgress: [w1],
      outOfService: [],
      policy: budget(3, 1),
    });
    expect(picked.map((p) => p.name)).toEqual(['k8s-work-4']);
  });

  it.each([0, -1, 1.5])('refuses a worker budget of %s', (workers) => {
    expect(() =>
      pickRunnableUnits({
        pending: workerNodes(inventory),
        inProgress: [],
        outOfService: [],
        policy: budget(workers, 1),
      }),
    ).toThrow(DroverError);
  });

  it.each<[string, 'cattle' | 'pets' | 'kubernetes', [number, number], number]>([
    ['cattle keeps the worker budget', 'cattle', [5, 3], 5],
    ['pets is capped by the batch size', 'pets', [5, 3], 3],
    ['pets keeps a smaller worker budget', 'pets', [2, 3], 2],
  ])('disruptionFor: %s', (_name, kind, [workers, batch], expected) => {
    const policy = {
      ...DEFAULT_POLICY,
      disruption: {
        ...DEFAULT_POLICY.disruption,
        maxUnavailableWorkers: workers,
        petsBatchSize: batch,
      },
    };
    expect(disruptionFor(kind, policy).maxUnavailableWorkers).toBe(expected);
  });

  it('never exceeds the budget over a whole sequential run (property over many policies)', () => {
    for (const [workers, domains] of [
      [1, 1],
      [2, 1],
      [3, 1],
      [2, 2],
      [5, 2],
      [4, 3],
      [12, 4],
    ] as const) {
      const policy = budget(workers, domains);
      let pending = workerNodes(inventory);
      let running: InventoryNode[] = [];
      const started: string[] = [];
      while (pending.length > 0 || running.length > 0) {
        const picked = pickRunnableUnits({
          pending,
          inProgress: running,
          outOfService: [],
          policy,
        });
        running = [...running, ...picked];
        pending = pending.filter((p) => !picked.includes(p));
        started.push(...picked.map((p) => p.name));
        expect(running.length).toBeLessThanOrEqual(workers);
        expect(new Set(running.map(disruptionDomain)).size).toBeLessThanOrEqual(domains);
        expect(running.length).toBeGreaterThan(0);
        running = running.slice(1); // the oldest finishes
      }
      expect(started).toEqual(workerNodes(inventory).map((n) => n.name));
    }
  });
});

describe('takeDownDecision (right before a destructive step)', () => {
  const ctrl = (n: number): InventoryNode => findNode(inventory, `k8s-ctrl-${n}`)!;
  it.each<[string, [number, number], number, number[], 'pass' | 'wait']>([
    // name, [workers, domains], node, down (other workers), expected
    ['nothing else down', [1, 1], 1, [], 'pass'],
    ['a worker of another host went down on its own', [3, 1], 1, [4], 'wait'],
    ['a worker of the same host went down: inside the budget', [3, 1], 1, [2], 'pass'],
    ['same host, but the worker budget is used', [1, 1], 1, [2], 'wait'],
    ['two domains allowed: another host is fine', [2, 2], 1, [4], 'pass'],
    ['two domains allowed: a third host is not', [3, 2], 1, [4, 7], 'wait'],
    ['the node itself listed as down counts once', [1, 1], 1, [1], 'pass'],
  ])('%s', (_name, [workers, domains], n, down, expected) => {
    const decision = takeDownDecision({
      node: node(n),
      down: nodes(down),
      policy: budget(workers, domains),
    });
    expect(decision.verdict).toBe(expected);
  });

  it('a control plane node waits while another control plane node is out', () => {
    expect(takeDownDecision({ node: ctrl(1), down: [ctrl(2)], policy: budget(3, 3) }).verdict).toBe(
      'wait',
    );
    expect(takeDownDecision({ node: ctrl(1), down: [node(4)], policy: budget(1, 1) }).verdict).toBe(
      'pass',
    );
  });

  it('an OSD node never opens a second storage domain, whatever the role of the node down', () => {
    const osdCtrl = { ...ctrl(2), storage: { osd: true } };
    const decision = takeDownDecision({ node: node(1), down: [osdCtrl], policy: budget(3, 1) });
    expect(decision).toMatchObject({ verdict: 'wait' });
    expect(decision.verdict === 'wait' && decision.reason).toContain('storage failure domains');
  });
});
