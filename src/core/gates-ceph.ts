/**
 * The Ceph health rule, pure. Read from the Rook CephCluster status (rook pkg/apis/ceph.rook.io/v1
 * types.go: status.ceph.health, details{<check>: {severity, message}}, lastChecked) and, for the
 * noout flags, the live CRUSH node flags (`ceph osd dump -f json` crush_node_flags).
 *
 * - A status whose own `lastChecked` is older than `maxAgeSeconds` (or absent) is unknown: the
 *   Rook operator refreshes it every 60 s (CephCluster healthCheck.daemonHealth.status.interval);
 *   a stopped operator leaves the last verdict standing forever, HEALTH_OK included.
 * - HEALTH_OK passes. HEALTH_ERR never passes.
 * - HEALTH_WARN passes only when every check in it is one of:
 *   1. OSD_FLAGS, when the flagged CRUSH nodes are exactly noout buckets Drover set for domains
 *      it has out of service: Ceph reports a `ceph osd set-group noout <bucket>` as OSD_FLAGS
 *      "N OSDs or CRUSH {nodes, device-classes} have {NOUP,NODOWN,NOIN,NOOUT} flags set" (the
 *      summary never names the bucket, so the buckets come from crush_node_flags, and N must
 *      equal their number: a larger N means per-OSD or other flags nobody here set). Ceph
 *      src/mon/OSDMonitor.cc / src/osd/OSDMap.cc check_health, Nautilus and later.
 *   2. OSD_DOWN, OSD_HOST_DOWN (any OSD_<crush type>_DOWN) and PG_DEGRADED, only while Drover
 *      has another OSD node out of service under its own noout (`othersOut`): those are the
 *      expected shadow of its own maintenance, and the disruption budget (not this rule) counts
 *      nodes that went down on their own.
 *   Everything else (OSDMAP_FLAGS: a cluster-wide noout Drover never sets; MON_*, OSD_NEARFULL,
 *   PG_AVAILABILITY, a degraded PG with nobody of ours away, ...) does not pass.
 * Not passing is a wait: the gate re-reads until its deadline, then blocks with the reason.
 */
import { PASS, wait, type GateDecision } from './gates.js';

export type CephHealthValue = 'HEALTH_OK' | 'HEALTH_WARN' | 'HEALTH_ERR';

export interface CephStatusReading {
  health: CephHealthValue | undefined;
  /** status.ceph.details: check name to its severity and summary message. */
  checks: Record<string, { severity: string; message: string }>;
  /** status.ceph.lastChecked, epoch ms; undefined when absent or unparsable. */
  lastCheckedMs: number | undefined;
}

export interface CephGateInput {
  nowMs: number;
  /** How old the status may be before it is unknown. */
  maxAgeSeconds: number;
  /** Storage domains Drover itself has set noout on (its nodes out of service). */
  ownNooutDomains: readonly string[];
  /** CRUSH buckets carrying noout right now (crush_node_flags), or undefined if unread. */
  liveNooutBuckets: readonly string[] | undefined;
  /** Another OSD node of this run is out of service under noout. */
  othersOut: boolean;
}

/** Rook refreshes its status every 60 s; five missed refreshes is a stopped operator. */
export const CEPH_STATUS_MAX_AGE_SECONDS = 300;

const OWN_SHADOW = /^(OSD_DOWN|OSD_[A-Z]+_DOWN|PG_DEGRADED)$/;
const FLAGS_SUMMARY =
  /^(\d+) OSDs or CRUSH \{nodes, device-classes\} have \{[A-Z,]*NOOUT[A-Z,]*\} flags set$/;

function nooutFlagsAreOurs(
  message: string,
  input: CephGateInput,
): { ours: true } | { ours: false; why: string } {
  const live = input.liveNooutBuckets;
  if (live === undefined) return { ours: false, why: 'noout buckets unreadable' };
  const foreign = live.filter((b) => !input.ownNooutDomains.includes(b));
  if (foreign.length > 0)
    return { ours: false, why: `noout set on ${foreign.join(', ')}, not by this run` };
  const count = FLAGS_SUMMARY.exec(message.trim())?.[1];
  if (count === undefined || Number(count) !== live.length)
    return { ours: false, why: `OSD_FLAGS "${message}" is more than this run's noout` };
  return { ours: true };
}

export function cephHealthGate(
  reading: CephStatusReading | undefined,
  input: CephGateInput,
): GateDecision {
  if (reading === undefined || reading.health === undefined)
    return wait('Ceph health unreadable (no CephCluster status)');
  if (reading.lastCheckedMs === undefined)
    return wait('Ceph health unknown: the CephCluster status has no lastChecked');
  const ageSeconds = Math.round((input.nowMs - reading.lastCheckedMs) / 1000);
  if (ageSeconds > input.maxAgeSeconds)
    return wait(
      `Ceph health unknown: the CephCluster status is ${ageSeconds}s old (Rook operator not reporting; at most ${input.maxAgeSeconds}s)`,
    );
  if (reading.health === 'HEALTH_OK') return PASS;
  const problems: string[] = [];
  for (const [name, check] of Object.entries(reading.checks).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    if (name === 'OSD_FLAGS') {
      const verdict = nooutFlagsAreOurs(check.message, input);
      if (!verdict.ours) problems.push(`OSD_FLAGS: ${verdict.why}`);
      continue;
    }
    if (input.othersOut && OWN_SHADOW.test(name) && check.severity !== 'HEALTH_ERR') continue;
    problems.push(`${name}: ${check.message}`);
  }
  if (reading.health === 'HEALTH_ERR' && problems.length === 0)
    problems.push('HEALTH_ERR without details');
  if (problems.length === 0 && Object.keys(reading.checks).length === 0)
    problems.push('HEALTH_WARN without details');
  if (problems.length === 0) return PASS;
  return wait(`Ceph is ${reading.health}: ${problems.join('; ')}`);
}
