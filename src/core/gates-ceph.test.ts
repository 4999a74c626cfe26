import { describe, expect, it } from 'vitest';
import { cephHealthGate, type CephGateInput, type CephStatusReading } from './gates-ceph.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const FLAGS = '1 OSDs or CRUSH {nodes, device-classes} have {NOUP,NODOWN,NOIN,NOOUT} flags set';
const warn = (checks: Record<string, string>, ageSeconds = 30): CephStatusReading => ({
  health: 'HEALTH_WARN',
  checks: Object.fromEntries(
    Object.entries(checks).map(([k, message]) => [k, { severity: 'HEALTH_WARN', message }]),
  ),
  lastCheckedMs: NOW - ageSeconds * 1000,
});
const input = (over: Partial<CephGateInput> = {}): CephGateInput => ({
  nowMs: NOW,
  maxAgeSeconds: 300,
  ownNooutDomains: ['thor'],
  liveNooutBuckets: ['thor'],
  othersOut: false,
  ...over,
});

describe('cephHealthGate', () => {
  const cases: {
    name: string;
    reading: CephStatusReading | undefined;
    input?: Partial<CephGateInput>;
    verdict: 'pass' | 'wait';
    says?: RegExp;
  }[] = [
    { name: 'no status is unknown', reading: undefined, verdict: 'wait', says: /unreadable/ },
    {
      name: 'fresh HEALTH_OK passes',
      reading: { health: 'HEALTH_OK', checks: {}, lastCheckedMs: NOW - 59_000 },
      verdict: 'pass',
    },
    {
      name: 'HEALTH_OK from a stopped operator is stale, not a pass',
      reading: { health: 'HEALTH_OK', checks: {}, lastCheckedMs: NOW - 301_000 },
      verdict: 'wait',
      says: /301s old/,
    },
    {
      name: 'a status without lastChecked is unknown',
      reading: { health: 'HEALTH_OK', checks: {}, lastCheckedMs: undefined },
      verdict: 'wait',
      says: /no lastChecked/,
    },
    {
      name: "this run's own bucket noout (OSD_FLAGS) passes",
      reading: warn({ OSD_FLAGS: FLAGS }),
      verdict: 'pass',
    },
    {
      name: 'a noout bucket this run did not set does not pass',
      reading: warn({ OSD_FLAGS: FLAGS }),
      input: { liveNooutBuckets: ['odin'] },
      verdict: 'wait',
      says: /odin, not by this run/,
    },
    {
      name: 'more flagged OSDs/buckets than our noout (per-OSD flags) does not pass',
      reading: warn({ OSD_FLAGS: FLAGS.replace(/^1/, '4') }),
      verdict: 'wait',
      says: /more than this run's noout/,
    },
    {
      name: 'noout buckets unreadable does not pass',
      reading: warn({ OSD_FLAGS: FLAGS }),
      input: { liveNooutBuckets: undefined },
      verdict: 'wait',
    },
    {
      name: 'cluster-wide noout (OSDMAP_FLAGS) is never ours',
      reading: warn({ OSDMAP_FLAGS: 'noout flag(s) set' }),
      verdict: 'wait',
      says: /OSDMAP_FLAGS/,
    },
    {
      name: 'Ceph going WARN on its own does not pass, even with our nodes away',
      reading: warn({ OSD_FLAGS: FLAGS, MON_CLOCK_SKEW: 'clock skew detected on mon.b' }),
      input: { othersOut: true },
      verdict: 'wait',
      says: /MON_CLOCK_SKEW/,
    },
    {
      name: 'OSDs down while another of our OSD nodes is away passes',
      reading: warn({
        OSD_FLAGS: FLAGS,
        OSD_DOWN: '3 osds down',
        OSD_HOST_DOWN: '1 host (3 osds) down',
        PG_DEGRADED: 'Degraded data redundancy: 1/3 objects degraded',
      }),
      input: { othersOut: true },
      verdict: 'pass',
    },
    {
      name: 'OSDs down with none of ours away does not pass',
      reading: warn({ OSD_DOWN: '3 osds down' }),
      input: { ownNooutDomains: [], liveNooutBuckets: [] },
      verdict: 'wait',
      says: /OSD_DOWN/,
    },
    {
      name: 'PG_DEGRADED while recovering after our node came back does not pass',
      reading: warn({ PG_DEGRADED: 'Degraded data redundancy' }),
      verdict: 'wait',
    },
    {
      name: 'HEALTH_ERR never passes',
      reading: {
        health: 'HEALTH_ERR',
        checks: { PG_AVAILABILITY: { severity: 'HEALTH_ERR', message: 'pgs inactive' } },
        lastCheckedMs: NOW,
      },
      input: { othersOut: true },
      verdict: 'wait',
    },
    {
      name: 'HEALTH_WARN without any check named does not pass',
      reading: warn({}),
      verdict: 'wait',
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const d = cephHealthGate(c.reading, input(c.input));
      expect(d.verdict).toBe(c.verdict);
      if (c.says && d.verdict === 'wait') expect(d.reason).toMatch(c.says);
    });
});
