/**
 * The etcd gates, pure: a control plane node leaves only while the members left keep quorum,
 * and its replacement counts as back only once it votes and every member is healthy. A member
 * list or a status that could not be read is a wait, never a pass.
 */
import { block, PASS, wait, type GateDecision } from './gates.js';

// Described structurally (core may not import ports); the port's EtcdMember and
// EtcdMemberStatus satisfy them.
export interface EtcdMemberReading {
  id: string;
  hostname: string;
  learner: boolean;
}
export interface EtcdStatusReading {
  memberId: string;
  healthy: boolean;
  error?: string;
}

export interface EtcdReading {
  /** The member list, or undefined when it could not be read. */
  members: EtcdMemberReading[] | undefined;
  /** One status per member that was asked; a member with no status is unknown. */
  statuses: EtcdStatusReading[] | undefined;
}

function statusOf(reading: EtcdReading, member: EtcdMemberReading): EtcdStatusReading | undefined {
  return reading.statuses?.find((s) => s.memberId.toLowerCase() === member.id.toLowerCase());
}

/**
 * Invariant etcd-quorum: a control plane node may go only when every other member answers a health read
 * and the members left would still form a quorum of the current membership.
 */
export function etcdQuorumGate(
  reading: EtcdReading,
  options: { excluding?: string; expectedMembers: number },
): GateDecision {
  const { members } = reading;
  if (members === undefined) return wait('etcd member list unreadable');
  if (members.length < options.expectedMembers)
    return wait(`etcd has ${members.length} members, expected ${options.expectedMembers}`);
  const learners = members.filter((m) => m.learner);
  if (learners.length > 0)
    return wait(`etcd member(s) still learning: ${learners.map((m) => m.hostname).join(', ')}`);
  const others = members.filter((m) => m.hostname !== options.excluding);
  const unhealthy = others.filter((m) => statusOf(reading, m)?.healthy !== true);
  const healthy = others.length - unhealthy.length;
  const quorum = Math.floor(members.length / 2) + 1;
  if (options.excluding !== undefined && members.length <= 1)
    return block('ETCD_SINGLE_MEMBER', 'removing the only etcd member would lose the cluster');
  if (unhealthy.length > 0) {
    const names = unhealthy.map((m) => {
      const s = statusOf(reading, m);
      return s === undefined
        ? `${m.hostname} (no answer)`
        : `${m.hostname} (${s.error ?? 'unhealthy'})`;
    });
    return wait(`etcd member(s) not healthy: ${names.join(', ')}`);
  }
  if (options.excluding !== undefined && healthy < quorum)
    return block(
      'ETCD_QUORUM_WOULD_BREAK',
      `only ${healthy} healthy member(s) would remain; quorum of ${members.length} is ${quorum}`,
    );
  return PASS;
}

/** The replacement member is back: present under the same hostname, voting, healthy, count as expected. */
export function etcdRejoinGate(
  reading: EtcdReading,
  options: { hostname: string; expectedMembers: number },
): GateDecision {
  const { members } = reading;
  if (members === undefined) return wait('etcd member list unreadable');
  const own = members.filter((m) => m.hostname === options.hostname);
  if (own.length === 0) return wait(`${options.hostname} is not an etcd member yet`);
  if (own.length > 1)
    return wait(`${options.hostname} is listed ${own.length} times (stale member)`);
  if (members.length !== options.expectedMembers)
    return wait(`etcd has ${members.length} members, expected ${options.expectedMembers}`);
  return etcdQuorumGate(reading, { expectedMembers: options.expectedMembers });
}
