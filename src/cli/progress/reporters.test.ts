import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../ports/reporter.js';
import { LiveReporter } from './live-reporter.js';
import { PlainReporter } from './plain-reporter.js';

const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const events: ProgressEvent[] = [
  {
    type: 'run-started',
    at: T0,
    kind: 'cattle',
    from: '1.10.8',
    to: '1.11.0',
    cluster: 'homelab',
    resumed: false,
  },
  { type: 'phase-started', at: T0, phase: 'control-plane', title: 'Replace the control plane' },
  {
    type: 'step-started',
    at: T0,
    stepId: 'cp-1/drain',
    node: 'cp-1',
    action: 'drain',
    title: 'Drain cp-1',
    attempt: 1,
  },
  { type: 'gate-waiting', at: T0 + 5_000, stepId: 'cp-1/drain', reason: 'eviction blocked' },
  {
    type: 'step-finished',
    at: T0 + 65_000,
    stepId: 'cp-1/drain',
    node: 'cp-1',
    action: 'drain',
    outcome: 'succeeded',
    durationSeconds: 65,
    message: '3 evicted, 0 forced',
  },
  { type: 'log', at: T0 + 65_000, level: 'warn', message: 'forced 1 pod', node: 'cp-1' },
  { type: 'phase-finished', at: T0 + 70_000, phase: 'control-plane' },
  { type: 'phase-started', at: T0 + 70_000, phase: 'validation', title: 'Validate the cluster' },
  { type: 'phase-finished', at: T0 + 71_000, phase: 'validation' },
  { type: 'run-finished', at: T0 + 3_723_000, outcome: 'succeeded' },
];

describe('PlainReporter', () => {
  it('prints one timestamped line per event, with the elapsed run time', () => {
    const lines: string[] = [];
    const reporter = new PlainReporter((l) => lines.push(l));
    for (const e of events) reporter.event(e);
    expect(lines).toEqual([
      '02:00:00 +00:00:00 starting cattle upgrade of homelab: 1.10.8 -> 1.11.0\n',
      '02:00:00 +00:00:00 == Replace the control plane\n',
      '02:00:00 +00:00:00 cp-1: Drain cp-1\n',
      '02:00:05 +00:00:05 cp-1/drain: waiting: eviction blocked\n',
      '02:01:05 +00:01:05 cp-1: drain succeeded in 65s: 3 evicted, 0 forced\n',
      '02:01:05 +00:01:05 warn cp-1: forced 1 pod\n',
      '02:01:10 +00:01:10 == Validate the cluster\n',
      '03:02:03 +01:02:03 run succeeded\n',
    ]);
  });
});

describe('LiveReporter', () => {
  it('settles every phase even when the engine outruns the task list (events arrive before tasks start)', async () => {
    const reporter = new LiveReporter();
    for (const e of events) reporter.event(e);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'hung'>(
      (resolve) => (timer = setTimeout(() => resolve('hung'), 5_000)),
    );
    const result = await Promise.race([reporter.flush().then(() => 'flushed' as const), timeout]);
    clearTimeout(timer);
    expect(result).toBe('flushed');
  });

  it('a failed run fails the open phase without hanging', async () => {
    const reporter = new LiveReporter();
    reporter.event(events[0]!);
    reporter.event(events[1]!);
    reporter.event({ type: 'run-finished', at: T0 + 1, outcome: 'failed' });
    await expect(reporter.flush()).resolves.toBeUndefined();
  });
});
