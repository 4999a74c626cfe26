import { describe, expect, it } from 'vitest';
import {
  apiStableGate,
  corednsGate,
  etcdQuorumGate,
  etcdRejoinGate,
  gpuReady,
  validateCluster,
} from './gates.js';
import type { EtcdReading, NodeReading } from './gates.js';

const m = (hostname: string, id: string, learner = false) => ({ id, hostname, learner });
const s = (id: string, healthy: boolean) => ({
  memberId: id,
  healthy,
  ...(healthy ? {} : { error: 'deadline exceeded' }),
});
const three = [m('cp-1', 'a1'), m('cp-2', 'b2'), m('cp-3', 'c3')];

describe('etcdQuorumGate', () => {
  const cases: {
    name: string;
    reading: EtcdReading;
    excluding?: string;
    verdict: string;
    code?: string;
  }[] = [
    {
      name: 'all healthy',
      reading: { members: three, statuses: [s('a1', true), s('b2', true), s('c3', true)] },
      excluding: 'cp-1',
      verdict: 'pass',
    },
    {
      name: 'member list unreadable is a wait, never a pass',
      reading: { members: undefined, statuses: undefined },
      excluding: 'cp-1',
      verdict: 'wait',
    },
    {
      name: 'status read failed: unknown is a wait',
      reading: { members: three, statuses: undefined },
      excluding: 'cp-1',
      verdict: 'wait',
    },
    {
      name: 'listed but dead member',
      reading: { members: three, statuses: [s('a1', true), s('b2', true), s('c3', false)] },
      excluding: 'cp-1',
      verdict: 'wait',
    },
    {
      name: 'member without any status answer',
      reading: { members: three, statuses: [s('a1', true), s('b2', true)] },
      excluding: 'cp-1',
      verdict: 'wait',
    },
    {
      name: 'the excluded node may be down',
      reading: { members: three, statuses: [s('a1', false), s('b2', true), s('c3', true)] },
      excluding: 'cp-1',
      verdict: 'pass',
    },
    {
      name: 'a member missing from the list',
      reading: { members: three.slice(0, 2), statuses: [s('a1', true), s('b2', true)] },
      excluding: 'cp-1',
      verdict: 'wait',
    },
    {
      name: 'a learner still catching up',
      reading: {
        members: [three[0]!, three[1]!, m('cp-3', 'c3', true)],
        statuses: [s('a1', true), s('b2', true), s('c3', true)],
      },
      excluding: 'cp-1',
      verdict: 'wait',
    },
    {
      name: 'single member cluster',
      reading: { members: [three[0]!], statuses: [s('a1', true)] },
      excluding: 'cp-1',
      verdict: 'block',
      code: 'ETCD_SINGLE_MEMBER',
    },
  ];
  it.each(cases)('$name -> $verdict', ({ reading, excluding, verdict, code }) => {
    const expectedMembers = reading.members?.length === 1 ? 1 : 3;
    const d = etcdQuorumGate(reading, { ...(excluding ? { excluding } : {}), expectedMembers });
    expect(d.verdict).toBe(verdict);
    if (code && d.verdict === 'block') expect(d.code).toBe(code);
  });

  it('five healthy members may lose one; two members may not (quorum of 2 is 2)', () => {
    const five = ['1', '2', '3', '4', '5'].map((i) => m(`cp-${i}`, `0${i}`));
    expect(
      etcdQuorumGate(
        { members: five, statuses: five.map((x) => s(x.id, true)) },
        { excluding: 'cp-1', expectedMembers: 5 },
      ).verdict,
    ).toBe('pass');
    const two = three.slice(0, 2);
    const d = etcdQuorumGate(
      { members: two, statuses: two.map((x) => s(x.id, true)) },
      { excluding: 'cp-1', expectedMembers: 2 },
    );
    expect(d).toMatchObject({ verdict: 'block', code: 'ETCD_QUORUM_WOULD_BREAK' });
  });
});

describe('etcdRejoinGate', () => {
  const healthy = [s('a1', true), s('b2', true), s('d4', true)];
  it.each([
    {
      name: 'back with a new id, all healthy',
      members: [m('cp-1', 'd4'), three[1]!, three[2]!],
      statuses: [...healthy, s('c3', true)],
      verdict: 'pass',
    },
    {
      name: 'not yet a member',
      members: [three[1]!, three[2]!],
      statuses: healthy,
      verdict: 'wait',
    },
    {
      name: 'stale same-named member still listed',
      members: [m('cp-1', 'a1'), m('cp-1', 'd4'), three[1]!, three[2]!],
      statuses: healthy,
      verdict: 'wait',
    },
    {
      name: 'rejoined but unhealthy',
      members: [m('cp-1', 'd4'), three[1]!, three[2]!],
      statuses: [s('d4', false), s('b2', true), s('c3', true)],
      verdict: 'wait',
    },
  ])('$name -> $verdict', ({ members, statuses, verdict }) => {
    expect(
      etcdRejoinGate({ members, statuses }, { hostname: 'cp-1', expectedMembers: 3 }).verdict,
    ).toBe(verdict);
  });
});

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
