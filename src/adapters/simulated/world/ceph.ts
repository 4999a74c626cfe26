/**
 * Rook-Ceph as the operator reports it in the CephCluster status: HEALTH_WARN while an OSD
 * node's domain is down (or a noout flag is set), HEALTH_ERR when more domains are down than
 * replication tolerates, and back to HEALTH_OK a while (post-checks' duration) after the domain
 * returns. Without noout, OSDs down longer than mon_osd_down_out_interval are marked out and
 * the recovery takes several times longer. The operator rewrites the status (lastChecked) every
 * minute while it runs (caught up lazily on read); a `rook-operator-stopped` fault freezes it, a `ceph-warn` fault raises a
 * check of Ceph's own.
 */
import { storageDomain } from '../../../core/inventory.js';
import { iso } from '../kube/store.js';
import { cephDomainsDown } from './ceph-domains-down.js';
import { R } from './objects.js';
import type { World } from './world.js';

const DOWN_OUT_INTERVAL_MS = 600_000;
/** Rook's CephCluster healthCheck.daemonHealth.status.interval default: 60 s. */
const STATUS_POLL_MS = 60_000;
const OUT_RECOVERY_FACTOR = 4;

export { cephDomainsDown };

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
    const until = world.now + world.ms('ceph-recovery') * factor;
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

  writeCephStatus(world, down);
}

/**
 * The operator's status write: on a change at once, else on its next 60 s poll. The poll is
 * caught up lazily when someone reads the CephCluster (store read hook, port read), stamped
 * with the poll's own time, so an idle world has no timer that keeps the clock busy.
 */
function writeCephStatus(world: World, down: string[]): void {
  // A stopped operator writes nothing: the status, lastChecked included, stays as it was.
  if (world.hasFault('rook-operator-stopped')) return;
  const cluster = world.store.getView(R.cephclusters, 'rook-ceph', 'rook-ceph');
  if (!cluster) return;
  const { health, details } = cephReport(world, down);
  const current = (cluster.status?.ceph ?? {}) as {
    health?: string;
    details?: unknown;
    lastChecked?: string;
  };
  const last = current.lastChecked ? Date.parse(current.lastChecked) : Number.NaN;
  const changed =
    current.health !== health || JSON.stringify(current.details) !== JSON.stringify(details);
  let at = world.now;
  if (!changed && !Number.isNaN(last)) {
    const polls = Math.floor((world.now - last) / STATUS_POLL_MS);
    if (polls < 1) return;
    at = last + polls * STATUS_POLL_MS;
  }
  world.store.update(R.cephclusters, {
    ...cluster,
    status: {
      ...cluster.status,
      ceph: {
        health,
        details,
        lastChecked: iso(at),
        previousHealth: current.health ?? 'HEALTH_OK',
      },
    },
  });
}

/** Brings the CephCluster status up to the operator's latest poll (before a read). */
export function refreshCephStatus(world: World): void {
  if (!world.context.scenario.storage.ceph) return;
  world.asWorld(() => writeCephStatus(world, cephDomainsDown(world)));
}

type Check = { severity: string; message: string };

/**
 * Health checks with Ceph's own names and summary messages (ceph src/osd/OSDMap.cc and
 * src/mon/PGMap.cc check_health, as `ceph health detail` prints them on Squid): Rook copies
 * each check's severity and summary into status.ceph.details.
 */
function cephReport(
  world: World,
  down: string[],
): { health: 'HEALTH_OK' | 'HEALTH_WARN' | 'HEALTH_ERR'; details: Record<string, Check> } {
  const ceph = world.state.ceph;
  const details: Record<string, Check> = {};
  const warn = (message: string): Check => ({ severity: 'HEALTH_WARN', message });
  if (down.length > 0) {
    const osds = world.context.inventory.nodes.filter(
      (n) => n.storage?.osd === true && down.includes(storageDomain(n)),
    ).length;
    details.OSD_DOWN = warn(`${osds} osds down`);
    details.PG_DEGRADED = warn(
      `Degraded data redundancy: OSDs in ${down.join(', ')} are down, pgs degraded`,
    );
  }
  if (down.length > world.context.scenario.storage.toleratedDomainsDown)
    details.PG_AVAILABILITY = {
      severity: 'HEALTH_ERR',
      message: 'Reduced data availability: pgs inactive',
    };
  // `ceph osd set-group noout <bucket>` flags the CRUSH node: OSD_FLAGS, whose summary never
  // names the bucket (cluster-wide `ceph osd set noout` would be OSDMAP_FLAGS instead).
  if (world.state.noout.length > 0)
    details.OSD_FLAGS = warn(
      `${world.state.noout.length} OSDs or CRUSH {nodes, device-classes} have {NOUP,NODOWN,NOIN,NOOUT} flags set`,
    );
  if (down.length === 0 && ceph.recoveringUntil > world.now)
    details.PG_DEGRADED = warn('Degraded data redundancy: objects degraded, recovering');
  world.context.scenario.faults.forEach((f, i) => {
    if (f.type === 'ceph-warn' && world.state.faultActive[i] === true)
      details[f.check] = warn(f.message);
  });
  const severities = Object.values(details).map((d) => d.severity);
  const health = severities.includes('HEALTH_ERR')
    ? 'HEALTH_ERR'
    : severities.length > 0
      ? 'HEALTH_WARN'
      : 'HEALTH_OK';
  return { health, details };
}

export function registerCephHandlers(world: World): void {
  world.on('ceph-recheck', () => undefined);
  world.store.onRead(R.cephclusters, () => refreshCephStatus(world));
}
