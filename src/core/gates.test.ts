import { describe, expect, it } from 'vitest';
import { apiStableGate, corednsGate, gpuReady, validateCluster } from './gates.js';
import type { NodeReading } from './gates.js';

describe('small gates', () => {
  it.each([
    [0, 3, 'wait'],
    [2, 3, 'wait'],
    [3, 3, 'pass'],
  ] as const)('api stable %i/%i -> %s', (passes, required, verdict) => {
    expect(apiStableGate(passes, required).verdict).toBe(verdict);
  });

  it.each([
    [undefined, 'w-1', 'wait'],
    [{ desired: 2, available: 2, readyNodes: ['w-1'] }, 'w-1', 'wait'],
    [{ desired: 2, available: 2, readyNodes: ['w-1', 'w-2'] }, 'w-1', 'pass'],
    [{ desired: 1, available: 1, readyNodes: ['w-3'] }, 'w-1', 'pass'],
  ] as const)('coredns %j draining %s -> %s', (status, node, verdict) => {
    expect(
      corednsGate(status ? { ...status, readyNodes: [...status.readyNodes] } : undefined, node)
        .verdict,
    ).toBe(verdict);
  });
});

const node = (name: string, over: Partial<NodeReading> = {}): NodeReading => ({
  name,
  ready: 'True',
  unschedulable: false,
  talosVersion: '1.11.0',
  kubeletVersion: 'v1.34.0',
  labels: {},
  allocatable: {},
  ...over,
});

describe('gpuReady', () => {
  it.each([
    [{}, {}, false],
    [{ 'nvidia.com/gpu.present': 'true' }, { 'nvidia.com/gpu': '0' }, false],
    [{}, { 'nvidia.com/gpu': '1' }, false],
    [{ 'nvidia.com/gpu.present': 'true' }, { 'nvidia.com/gpu': '2' }, true],
  ])('labels %j allocatable %j -> %s', (labels, allocatable, ready) => {
    expect(gpuReady(node('g', { labels, allocatable }))).toBe(ready);
  });
});

describe('validateCluster', () => {
  const expect_ = {
    expectedNodes: ['a', 'b', 'g'],
    gpuNodes: ['g'],
    talos: '1.11.0',
    kubernetes: '1.34.0',
  };
  const gpu = {
    labels: { 'nvidia.com/gpu.present': 'true' },
    allocatable: { 'nvidia.com/gpu': '1' },
  };
  const ok = {
    helmReleases: [{ namespace: 'f', name: 'r', ready: true, reason: '' }],
    problemPods: [],
  };
  it.each([
    {
      name: 'everything in order',
      nodes: [node('a'), node('b'), node('g', gpu)],
      verdict: 'pass',
      reason: '',
    },
    {
      name: 'a node missing from the list',
      nodes: [node('a'), node('g', gpu)],
      verdict: 'wait',
      reason: 'b missing',
    },
    {
      name: 'a cordoned node (Ready, but not schedulable)',
      nodes: [node('a'), node('b', { unschedulable: true }), node('g', gpu)],
      verdict: 'wait',
      reason: 'b cordoned',
    },
    {
      name: 'an old version',
      nodes: [node('a'), node('b', { talosVersion: '1.10.8' }), node('g', gpu)],
      verdict: 'wait',
      reason: 'Talos 1.10.8',
    },
    {
      name: 'kubelet behind',
      nodes: [node('a'), node('b', { kubeletVersion: 'v1.33.0' }), node('g', gpu)],
      verdict: 'wait',
      reason: 'kubelet',
    },
    {
      name: 'GPU label missing',
      nodes: [node('a'), node('b'), node('g')],
      verdict: 'wait',
      reason: 'GPUs',
    },
    {
      name: 'NotReady',
      nodes: [node('a', { ready: 'Unknown' }), node('b'), node('g', gpu)],
      verdict: 'wait',
      reason: 'Ready=Unknown',
    },
  ])('$name -> $verdict', ({ nodes, verdict, reason }) => {
    const d = validateCluster({ nodes, ...ok }, expect_);
    expect(d.verdict).toBe(verdict);
    if (d.verdict === 'wait') expect(d.reason).toContain(reason);
  });

  it('unreadable lists, failing releases and stuck pods are waits', () => {
    const nodes = [node('a'), node('b'), node('g', gpu)];
    expect(validateCluster({ nodes: undefined, ...ok }, expect_).verdict).toBe('wait');
    expect(
      validateCluster({ nodes, helmReleases: undefined, problemPods: [] }, expect_).verdict,
    ).toBe('wait');
    expect(
      validateCluster(
        {
          nodes,
          helmReleases: [{ namespace: 'f', name: 'r', ready: false, reason: 'InstallFailed' }],
          problemPods: [],
        },
        expect_,
      ).verdict,
    ).toBe('wait');
    expect(
      validateCluster(
        { nodes, helmReleases: [], problemPods: [{ namespace: 'x', name: 'p', phase: 'Pending' }] },
        expect_,
      ).verdict,
    ).toBe('wait');
  });
});
