/**
 * Rook-Ceph as the operator reports it in the CephCluster status: HEALTH_WARN while an OSD
 * node's domain is down (or a noout flag is set), HEALTH_ERR when more domains are down than
 * replication tolerates, and back to HEALTH_OK a while (post-checks' duration) after the domain
 * returns. Without noout, OSDs down longer than mon_osd_down_out_interval are marked out and
 * the recovery takes several times longer.
 */
import { storageDomain } from '../../../core/inventory.js';
import { iso } from '../kube/store.js';
import { readyStatus } from './nodes.js';
import { R } from './objects.js';
import type { World } from './world.js';

const DOWN_OUT_INTERVAL_MS = 600_000;
const OUT_RECOVERY_FACTOR = 4;

/** Storage domains with an OSD node whose machine or kubelet is down. */
export function cephDomainsDown(world: World): string[] {
  const down = new Set<string>();
  for (const node of world.context.inventory.nodes) {
    if (node.storage?.osd !== true) continue;
    const obj = world.store.getView(R.nodes, undefined, node.name);
    if (!world.vmRunning(node.name) || readyStatus(obj) !== 'True') down.add(storageDomain(node));
  }
  return [...down].sort();
}

export function reconcileCeph(world: World): void {
  if (!world.context.scenario.storage.ceph) return;
  const cluster = world.store.getView(R.cephclusters, 'rook-ceph', 'rook-ceph');
  if (!cluster) return;
  const ceph = world.state.ceph;
  const down = cephDomainsDown(world);
  for (const d of down) {
    if (ceph.downSince[d] === undefined) ceph.downSince[d] = world.now;
    const noout = world.state.noout.includes(d);
    if (
      !noout &&
      !ceph.outMarked.includes(d) &&
      world.now - (ceph.downSince[d] ?? world.now) >= DOWN_OUT_INTERVAL_MS
    )
      ceph.outMarked.push(d);
  }
  for (const d of Object.keys(ceph.downSince)) {
    if (down.includes(d)) continue;
    // Back: degraded placement groups recover for a while.
    const factor = ceph.outMarked.includes(d) ? OUT_RECOVERY_FACTOR : 1;
    const until = world.now + world.ms('post-checks') * factor;
    ceph.recoveringUntil = Math.max(ceph.recoveringUntil, until);
    delete ceph.downSince[d];
    ceph.outMarked = ceph.outMarked.filter((x) => x !== d);
    world.schedule(until - world.now, { type: 'ceph-recheck' });
  }
  if (down.length > 0 && Object.keys(ceph.downSince).some((d) => !world.state.noout.includes(d)))
    // Re-evaluate when OSDs would be marked out.
    for (const d of down)
      if (!world.state.noout.includes(d) && !ceph.outMarked.includes(d)) {
        const at = (ceph.downSince[d] ?? world.now) + DOWN_OUT_INTERVAL_MS;
        if (!world.state.pending.some((e) => e.type === 'ceph-recheck' && e.at === at))
          world.schedule(at - world.now, { type: 'ceph-recheck' });
      }

  const details: Record<string, { severity: string; message: string }> = {};
  let health: 'HEALTH_OK' | 'HEALTH_WARN' | 'HEALTH_ERR' = 'HEALTH_OK';
  if (down.length > 0) {
    health = 'HEALTH_WARN';
    details.OSD_DOWN = {
      severity: 'HEALTH_WARN',
      message: `OSDs in ${down.length} failure domain(s) are down: ${down.join(', ')}`,
    };
  }
  if (down.length > world.context.scenario.storage.toleratedDomainsDown) {
    health = 'HEALTH_ERR';
    details.PG_AVAILABILITY = {
      severity: 'HEALTH_ERR',
      message: 'Reduced data availability: placement groups inactive',
    };
  }
  if (world.state.noout.length > 0) {
    if (health === 'HEALTH_OK') health = 'HEALTH_WARN';
    details.OSDMAP_FLAGS = {
      severity: 'HEALTH_WARN',
      message: `noout flag(s) set on ${world.state.noout.join(', ')}`,
    };
  }
  if (down.length === 0 && ceph.recoveringUntil > world.now) {
    if (health === 'HEALTH_OK') health = 'HEALTH_WARN';
    details.PG_DEGRADED = {
      severity: 'HEALTH_WARN',
      message: 'Degraded data redundancy: objects degraded, recovering',
    };
  }
  const current = (cluster.status?.ceph ?? {}) as { health?: string; details?: unknown };
  if (current.health === health && JSON.stringify(current.details) === JSON.stringify(details))
    return;
  world.store.update(R.cephclusters, {
    ...cluster,
    status: {
      ...cluster.status,
      ceph: {
        health,
        details,
        lastChecked: iso(world.now),
        previousHealth: current.health ?? 'HEALTH_OK',
      },
    },
  });
}

export function registerCephHandlers(world: World): void {
  world.on('ceph-recheck', () => undefined);
}
