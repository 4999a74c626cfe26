/**
 * Invariant evidence-of-change, in-place half: a node is never upgraded in place a second time without a
 * successful read of its real version in between. talosctl exits 1 when it loses the node in its
 * reboot, so a second `talosctl upgrade` issued on the strength of that exit alone may upgrade a
 * node that already did (or fight Talos' rollback). Hooked from the simulated Talos port: every
 * upgrade call marks the node unread, every version read that answers clears it.
 */
import type { World } from './world.js';

export function upgradeIssued(world: World, node: string): void {
  const unread = (world.state.upgradeUnread ??= {});
  if (unread[node])
    world.violation(
      'evidence-of-change',
      `second in-place upgrade of ${node} without a version read since the previous one`,
    );
  unread[node] = true;
  world.changed();
}

export function versionRead(world: World, node: string): void {
  if (world.state.upgradeUnread?.[node] === undefined) return;
  delete world.state.upgradeUnread[node];
  world.changed();
}
