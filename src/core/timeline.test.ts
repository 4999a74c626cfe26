import { describe, expect, it } from 'vitest';
import type { PlanStep } from './plan.js';
import { buildTimeline, stepKind } from './timeline.js';
import type { TimelineEntry } from './timeline.js';

const T0 = Date.UTC(2026, 0, 1);
const step = (node: string, action: string, params: PlanStep['params'] = {}): PlanStep =>
  ({ id: `${node}/${action}`, action, node, params, title: action }) as PlanStep;
const at = (type: string, s: number, extra: Partial<TimelineEntry> = {}): TimelineEntry => ({
  type,
  at: T0 + s * 1000,
  ...extra,
});
const started = (id: string, s: number) =>
  at('step-started', s, { stepId: id, action: id.split('/')[1] ?? '' });
const finished = (id: string, s: number, outcome = 'succeeded') =>
  at('step-finished', s, { stepId: id, action: id.split('/')[1] ?? '', outcome });

const rows = [
  { name: 'w-1', role: 'worker', steps: [step('w-1', 'drain'), step('w-1', 'replace-vm')] },
  { name: 'w-2', role: 'worker', steps: [step('w-2', 'drain'), step('w-2', 'replace-vm')] },
];

describe('buildTimeline', () => {
  it('draws each attempt from its journal start to its finish, in seconds from the first run', () => {
    const timeline = buildTimeline({
      rows,
      origin: T0,
      finishedAt: T0 + 400_000,
      lowerBoundSeconds: 250.04,
      entries: [
        at('run-started', 0),
        started('w-1/drain', 10),
        finished('w-1/drain', 70),
        started('w-1/replace-vm', 100), // 30 s waiting for its turn
        finished('w-1/replace-vm', 400),
      ],
    });
    expect(timeline.origin).toBe('2026-01-01T00:00:00.000Z');
    expect(timeline).toMatchObject({ durationSeconds: 400, lowerBoundSeconds: 250 });
    const [w1, w2] = timeline.rows;
    expect(w1?.bars).toEqual([
      expect.objectContaining({
        label: 'drain',
        kind: 'drain',
        start: 10,
        end: 70,
        outcome: 'succeeded',
      }),
      expect.objectContaining({
        label: 'replace-vm',
        kind: 'replace',
        start: 100,
        end: 400,
        attempt: 1,
      }),
    ]);
    expect(w1?.waits).toEqual([{ start: 70, end: 100 }]);
    expect(w2).toEqual({ name: 'w-2', role: 'worker', bars: [], waits: [] });
    expect(timeline.runs).toEqual([{ start: 0, resumed: false }]);
  });

  it('across a crash and a resume: the cut-off attempt ends where its run stopped', () => {
    const timeline = buildTimeline({
      rows,
      origin: T0,
      finishedAt: T0 + 2_000_000,
      lowerBoundSeconds: 0,
      entries: [
        at('run-started', 0),
        started('w-1/drain', 0),
        finished('w-1/drain', 60),
        started('w-1/replace-vm', 60),
        at('note', 90, { stepId: 'w-1/replace-vm' }), // the last thing the first run wrote
        at('run-started', 1000, { data: { resumed: true } }),
        started('w-1/replace-vm', 1000),
        finished('w-1/replace-vm', 1300, 'failed'),
        at('run-started', 1500, { data: { resumed: true } }),
        started('w-1/replace-vm', 1500),
        finished('w-1/replace-vm', 1800),
      ],
    });
    expect(timeline.runs).toEqual([
      { start: 0, resumed: false },
      { start: 1000, resumed: true },
      { start: 1500, resumed: true },
    ]);
    const bars = timeline.rows[0]?.bars.filter((b) => b.stepId === 'w-1/replace-vm');
    expect(bars?.map((b) => [b.start, b.end, b.outcome, b.attempt])).toEqual([
      [60, 90, 'interrupted', 1],
      [1000, 1300, 'failed', 2],
      [1500, 1800, 'succeeded', 3],
    ]);
  });

  it('a step still open when the report is built ends at the report time, interrupted', () => {
    const timeline = buildTimeline({
      rows,
      origin: T0,
      finishedAt: T0 + 500_000,
      lowerBoundSeconds: 0,
      entries: [at('run-started', 0), started('w-2/drain', 100)],
    });
    expect(timeline.rows[1]?.bars).toEqual([
      expect.objectContaining({ start: 100, end: 500, outcome: 'interrupted' }),
    ]);
  });

  it('tells steps of one action apart in the cluster row, and keeps no idle time there', () => {
    const dry = { id: 'cluster/k8s-upgrade/1', action: 'k8s-upgrade', params: { dryRun: true } };
    const real = { id: 'cluster/k8s-upgrade/2', action: 'k8s-upgrade', params: { dryRun: false } };
    const validate = { id: 'cluster/validate-cluster', action: 'validate-cluster', params: {} };
    const timeline = buildTimeline({
      rows: [
        { name: 'cluster', role: 'cluster', steps: [dry, real, validate] as unknown as PlanStep[] },
      ],
      origin: T0,
      finishedAt: T0 + 1_000_000,
      lowerBoundSeconds: 0,
      entries: [
        at('run-started', 0),
        started('cluster/k8s-upgrade/1', 0),
        finished('cluster/k8s-upgrade/1', 30),
        started('cluster/k8s-upgrade/2', 30),
        finished('cluster/k8s-upgrade/2', 600),
        started('cluster/validate-cluster', 900),
        finished('cluster/validate-cluster', 910),
      ].map((e) => ({ ...e, action: e.stepId?.split('/')[1] ?? '' })),
    });
    expect(timeline.rows[0]?.bars.map((b) => b.label)).toEqual([
      'k8s-upgrade (dry run)',
      'k8s-upgrade/2',
      'validate-cluster',
    ]);
    expect(timeline.rows[0]?.waits).toEqual([]);
  });

  it('gives every action a kind; an unknown one is "other"', () => {
    expect(stepKind('gate-etcd')).toBe('gate');
    expect(stepKind('wait-ready')).toBe('wait');
    expect(stepKind('talos-upgrade')).toBe('replace');
    expect(stepKind('backup-state')).toBe('state');
    expect(stepKind('something-new')).toBe('other');
  });
});
