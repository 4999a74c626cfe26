/**
 * The twin's etcd leadership (boot IDs live in machines.ts). etcd has one leader: a member that stops
 * gracefully (a reboot) hands leadership on, as etcd's server Stop does; a leader removed from
 * the cluster (etcd leave, remove-member) steps down and the others hold an election.
 */
import type { World } from './world.js';

/** The leader's member id: kept while its member is healthy, else the first healthy member. */
export function etcdLeaderId(world: World): string | undefined {
  const healthy = world.state.etcd.filter((m) => m.healthy && world.vmRunning(m.node));
  if (world.state.etcdLeader === undefined) {
    // The scenario may place the leader (fault etcd-leader); else the first member leads.
    const placed = world.faults().find((f) => f.type === 'etcd-leader');
    const member = placed && world.state.etcd.find((m) => m.node === placed.node);
    if (member) world.state.etcdLeader = member.id;
  }
  const current = world.state.etcdLeader;
  if (current && healthy.some((m) => m.id === current)) return current;
  const next = healthy[0]?.id;
  world.state.etcdLeader = next ?? null;
  return next;
}

/** `etcd forfeit-leadership` on the leader: another healthy member leads. A follower: no-op. */
export function forfeitLeadership(world: World, memberId: string): void {
  if (etcdLeaderId(world) !== memberId) return;
  const next = world.state.etcd.find(
    (m) => m.id !== memberId && m.healthy && world.vmRunning(m.node),
  );
  if (next) world.state.etcdLeader = next.id;
  world.changed();
}

/**
 * A member is about to be removed. When it leads, etcd goes through an election (writes stall,
 * the API server with them): that is what moving leadership first avoids. Returns whether it led.
 */
export function removingMember(world: World, memberId: string): boolean {
  const led = etcdLeaderId(world) === memberId;
  if (led) {
    world.state.etcdElections = (world.state.etcdElections ?? 0) + 1;
    world.state.etcdLeader = null;
  }
  return led;
}
