/**
 * Reads etcd as the gates need it: the member list through a control plane node that is not
 * the one in question (the first that answers), then a status read of every member at the
 * address the inventory gives its hostname. A member with no known address has no status:
 * unknown, which the gates treat as not healthy.
 */
import type { EtcdReading } from '../core/gates-etcd.js';
import { controlPlaneNodes } from '../core/inventory.js';
import type { EtcdMember, EtcdMemberStatus } from '../ports/talos.js';
import { PASS, wait } from '../core/gates.js';
import type { StepContext } from './context.js';
import { runGate } from './gate-runner.js';

export async function readEtcd(
  ctx: StepContext,
  avoid?: string,
): Promise<EtcdReading & { via?: string; statuses: EtcdMemberStatus[] | undefined }> {
  const { talos } = ctx.run.ports;
  const candidates = controlPlaneNodes(ctx.run.inventory).filter((n) => n.name !== avoid);
  let members: EtcdMember[] | undefined;
  let via: string | undefined;
  for (const node of candidates) {
    try {
      members = await talos.etcdMembers(node.address);
      via = node.address;
      break;
    } catch {
      // Try the next control plane node; none answering is "unknown".
    }
  }
  if (members === undefined) return { members: undefined, statuses: undefined };
  const addresses = members.flatMap((m) => {
    const node = ctx.run.inventory.nodes.find((n) => n.name === m.hostname);
    return node ? [node.address] : [];
  });
  let statuses;
  try {
    statuses = addresses.length > 0 ? await talos.etcdStatus(addresses) : [];
  } catch {
    statuses = undefined;
  }
  return { members, statuses, ...(via ? { via } : {}) };
}

/** The member every answering status names as leader, when they agree; else undefined. */
export function leaderOf(reading: {
  members: EtcdMember[] | undefined;
  statuses: EtcdMemberStatus[] | undefined;
}): EtcdMember | undefined {
  const ids = new Set(
    (reading.statuses ?? []).flatMap((s) => (s.leaderId ? [s.leaderId.toLowerCase()] : [])),
  );
  if (ids.size !== 1) return undefined;
  const [id] = [...ids];
  return reading.members?.find((m) => m.id.toLowerCase() === id);
}

/**
 * A leader that leaves etcd costs the cluster an election (writes stall until a new leader is
 * elected, the API server with them). If the departing node leads, it hands leadership on first
 * (`talosctl etcd forfeit-leadership`) and we wait until another member leads.
 */
export async function moveLeadershipAway(
  ctx: StepContext,
  node: { name: string; address: string },
  /** A reading the caller took a moment ago, to tell who leads without reading again. */
  reading?: Parameters<typeof leaderOf>[0],
): Promise<void> {
  const leader = leaderOf(reading ?? (await readEtcd(ctx)));
  if (leader !== undefined && leader.hostname !== node.name) return;
  // It leads, or the members do not agree who does: forfeit (a follower's forfeit is a no-op).
  if (leader !== undefined)
    ctx.run.log('info', `${node.name} leads etcd; moving leadership before it leaves`, node.name);
  await ctx.call('talos.etcdForfeitLeadership', { node: node.address }, () =>
    ctx.run.ports.talos.etcdForfeitLeadership(node.address),
  );
  if (leader === undefined) return;
  await runGate(
    ctx,
    async () => {
      const now = leaderOf(await readEtcd(ctx));
      if (now === undefined) return wait('no etcd leader known yet');
      return now.hostname === node.name ? wait(`${node.name} still leads etcd`) : PASS;
    },
    {
      deadlineSeconds: ctx.run.policy.timeouts.gateSeconds,
      timeoutCode: 'ETCD_LEADERSHIP_NOT_MOVED',
      category: 'failed',
      hint: `${node.name} still leads etcd after forfeit-leadership; it must not leave as leader (a leader election stalls the cluster).`,
    },
  );
}
