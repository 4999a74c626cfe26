import { describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../adapters/simulated/index.js';
import type { UpgradeReport } from '../../core/report.js';
import { mergeViolations } from './merge-violations.js';

function cluster(world: Record<string, number>): SimulatedCluster {
  return {
    violations: () => [],
    vmReplacements: () => world,
    clock: { now: () => 7 },
  } as unknown as SimulatedCluster;
}

function report(journal: Record<string, number>): UpgradeReport {
  return {
    nodes: Object.entries(journal).map(([name, vmReplacements]) => ({ name, vmReplacements })),
  } as unknown as UpgradeReport;
}

describe('mergeViolations (invariant exactly-once-after-crash)', () => {
  it('nothing when the world and the journal agree on one replacement each', () => {
    expect(mergeViolations(report({ a: 1, b: 0 }), cluster({ a: 1 }))).toEqual([]);
  });

  it('a VM replaced twice is a breach even when the journal agrees', () => {
    expect(mergeViolations(report({ a: 2 }), cluster({ a: 2 })).map((v) => v.message)).toEqual([
      'a: its VM was replaced 2 times (exactly once is the rule)',
    ]);
  });

  it('the journal and the world disagreeing is a breach', () => {
    expect(mergeViolations(report({ a: 0 }), cluster({ a: 1 })).map((v) => v.invariant)).toEqual([
      'exactly-once-after-crash',
    ]);
  });
});
