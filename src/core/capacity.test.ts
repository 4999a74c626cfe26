import { describe, expect, it } from 'vitest';
import { capacityDecision, largestBatchThatFits, podsWithoutRoom } from './capacity.js';
import { podRequests } from './pod-requests.js';

const GI = 2 ** 30;
const pod = (name: string, cpu: number, gi: number) => ({
  name,
  requests: { cpuMillis: cpu, memoryBytes: gi * GI },
});
const node = (name: string, cpu: number, gi: number, usedCpu = 0, usedGi = 0) => ({
  name,
  allocatable: { cpuMillis: cpu, memoryBytes: gi * GI },
  requested: { cpuMillis: usedCpu, memoryBytes: usedGi * GI },
});

describe('capacity check: evicted requests against what remains', () => {
  it.each([
    ['nothing to evict', [], [node('a', 1000, 1)], 'pass'],
    ['fits on one node', [pod('p', 500, 1)], [node('a', 1000, 2)], 'pass'],
    ['already requested counts', [pod('p', 500, 1)], [node('a', 1000, 2, 600, 0)], 'block'],
    ['memory short', [pod('p', 100, 3)], [node('a', 4000, 4, 0, 2)], 'block'],
    [
      'spread over two nodes',
      [pod('p', 800, 1), pod('q', 800, 1)],
      [node('a', 1000, 2), node('b', 1000, 2)],
      'pass',
    ],
    [
      'sum fits, no single node does',
      [pod('p', 1500, 1)],
      [node('a', 1000, 4), node('b', 1000, 4)],
      'block',
    ],
    ['no node stays', [pod('p', 1, 0)], [], 'block'],
    [
      'requests of zero fit on a full node',
      [pod('p', 0, 0)],
      [node('a', 1000, 1, 1000, 1)],
      'pass',
    ],
  ] as const)('%s: %s', (_name, evicted, staying, verdict) => {
    expect(capacityDecision([...evicted], [...staying]).verdict).toBe(verdict);
  });

  it('names the shortfall with the reason code CAPACITY_SHORT', () => {
    const decision = capacityDecision(
      [pod('apps/web-1', 1500, 2), pod('apps/web-2', 200, 1)],
      [node('k8s-work-4', 1000, 8)],
    );
    expect(decision).toEqual({
      verdict: 'block',
      code: 'CAPACITY_SHORT',
      reason:
        '1 evicted pod(s) would find no room on the 1 schedulable worker(s) staying in service (short 1500m CPU, 2.0Gi memory: apps/web-1)',
    });
  });

  it('places the largest first (a small one first would strand the large one)', () => {
    expect(
      podsWithoutRoom(
        [pod('s', 500, 0), pod('l', 1000, 0)],
        [node('a', 1000, 1), node('b', 500, 1)],
      ),
    ).toEqual([]);
  });

  it('a batch that does not fit shrinks to its largest leading part that does', () => {
    const fits = (part: readonly string[]) => part.length <= 2;
    expect(largestBatchThatFits(['w1', 'w2', 'w3'], fits)).toEqual(['w1', 'w2']);
    expect(largestBatchThatFits(['w1'], () => false)).toEqual([]);
    expect(largestBatchThatFits(['w1', 'w2'], () => true)).toEqual(['w1', 'w2']);
  });
});

describe('a pod effective requests (as the scheduler counts them)', () => {
  it('sums containers, floors at the largest init container, adds the overhead', () => {
    expect(
      podRequests({
        containers: [
          { resources: { requests: { cpu: '250m', memory: '256Mi' } } },
          { resources: { requests: { cpu: '1', memory: '1Gi' } } },
          {},
        ],
        initContainers: [{ resources: { requests: { cpu: '2', memory: '64Mi' } } }],
        overhead: { cpu: '10m', memory: '1Mi' },
      }),
    ).toEqual({ cpuMillis: 2010, memoryBytes: 1280 * 2 ** 20 + 2 ** 20 });
  });

  it('a pod without requests requests nothing', () => {
    expect(podRequests({ containers: [{}] })).toEqual({ cpuMillis: 0, memoryBytes: 0 });
    expect(podRequests(undefined)).toEqual({ cpuMillis: 0, memoryBytes: 0 });
  });
});
