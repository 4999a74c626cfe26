import { describe, expect, it } from 'vitest';
import { etcdQuorumGate, etcdRejoinGate } from './gates-etcd.js';
import type { EtcdReading } from './gates-etcd.js';

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
