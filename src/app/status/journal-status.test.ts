import { describe, expect, it } from 'vitest';
import type { Plan, StepAction } from '../../core/plan.js';
import type { JournalEntry } from '../../ports/journal.js';
import { journalStatus } from './journal-status.js';

const run = 'run-1';
const started = (at: number): JournalEntry => ({
  type: 'run-started',
  at,
  runId: run,
  kind: 'cattle',
  from: '1.10.8',
  to: '1.11.0',
});
const step = (
  type: 'step-started' | 'step-finished',
  at: number,
  node: string,
  action: StepAction,
  outcome?: JournalEntry['outcome'],
  extra: Partial<JournalEntry> = {},
): JournalEntry => ({
  type,
  at,
  runId: run,
  stepId: `${node}/${action}`,
  node,
  action,
  ...(outcome ? { outcome } : {}),
  ...extra,
});
const cycle = (at: number, node: string, action: StepAction): JournalEntry[] => [
  step('step-started', at, node, action),
  step('step-finished', at + 1, node, action, 'succeeded'),
];

const plan = {
  phases: [
    {
      id: 'workers',
      steps: [],
      concurrency: 'disruption-policy',
      units: [
        {
          node: 'w1',
          steps: ['cordon', 'drain', 'replace-vm', 'uncordon'].map((action) => ({
            id: `w1/${action}`,
            action,
            node: 'w1',
            params: {},
            title: action,
          })),
        },
        {
          node: 'w2',
          steps: ['cordon', 'drain'].map((action) => ({
            id: `w2/${action}`,
            action,
            node: 'w2',
            params: {},
            title: action,
          })),
        },
      ],
    },
  ],
} as unknown as Plan;

describe('journal status', () => {
  it('says nothing for a journal with no run', () => {
    expect(journalStatus([])).toBeUndefined();
  });

  it('a run that died inside a step: unfinished, the step interrupted, the node still cordoned, what resume runs', () => {
    const entries = [
      started(0),
      ...cycle(10, 'w1', 'cordon'),
      ...cycle(20, 'w1', 'drain'),
      step('step-started', 30, 'w1', 'replace-vm'),
    ];
    const status = journalStatus(entries, plan)!;
    expect(status).toMatchObject({
      runId: run,
      kind: 'cattle',
      to: '1.11.0',
      state: 'unfinished',
      attempts: 1,
      lastFinished: { stepId: 'w1/drain' },
      interrupted: [{ stepId: 'w1/replace-vm', node: 'w1', at: 30 }],
      cordoned: ['w1'],
      remaining: { count: 4 },
    });
    expect(status.remaining!.next.map((s) => s.stepId)).toEqual([
      'w1/replace-vm',
      'w1/uncordon',
      'w2/cordon',
    ]);
    expect(status.failed).toBeUndefined();
  });

  it('a failed, then resumed and finished run: the last attempt decides; uncordoned nodes are not listed', () => {
    const failed = [
      started(0),
      ...cycle(10, 'w1', 'cordon'),
      step('step-started', 20, 'w1', 'drain'),
      step('step-finished', 21, 'w1', 'drain', 'failed', {
        message: 'PDB blocks',
        code: 'DRAIN_BLOCKED',
      }),
      { type: 'run-finished', at: 22, runId: run, outcome: 'failed' } as JournalEntry,
    ];
    const stopped = journalStatus(failed)!;
    expect(stopped).toMatchObject({
      state: 'failed',
      failed: { stepId: 'w1/drain', code: 'DRAIN_BLOCKED' },
      cordoned: ['w1'],
    });
    const resumed = [
      ...failed,
      started(100),
      ...cycle(110, 'w1', 'drain'),
      ...cycle(120, 'w1', 'replace-vm'),
      ...cycle(130, 'w1', 'uncordon'),
      ...cycle(140, 'w2', 'cordon'),
      ...cycle(150, 'w2', 'drain'),
    ];
    expect(journalStatus(resumed, plan)).toMatchObject({
      state: 'unfinished',
      attempts: 2,
      cordoned: ['w2'],
      remaining: { count: 0 },
    });
    const done = [
      ...resumed,
      { type: 'run-finished', at: 160, runId: run, outcome: 'succeeded' } as JournalEntry,
    ];
    const status = journalStatus(done)!;
    expect(status.state).toBe('succeeded');
    expect(status.failed).toBeUndefined();
  });

  it('a node cleanup restored is not cordoned, and its cycle counts again', () => {
    const entries = [
      started(0),
      ...cycle(10, 'w1', 'cordon'),
      { type: 'note', at: 20, runId: run, node: 'w1', data: { restored: true } } as JournalEntry,
      { type: 'run-finished', at: 21, runId: run, outcome: 'aborted' } as JournalEntry,
    ];
    const status = journalStatus(entries, plan)!;
    expect(status.cordoned).toEqual([]);
    expect(status.state).toBe('aborted');
    expect(status.remaining!.next[0]!.stepId).toBe('w1/cordon');
  });

  it('reads only the newest run of a journal that holds several', () => {
    const older = { ...started(0), runId: 'run-0' };
    const status = journalStatus([
      older,
      { type: 'run-finished', at: 1, runId: 'run-0', outcome: 'failed' },
      started(5),
    ])!;
    expect(status).toMatchObject({ runId: run, state: 'unfinished', attempts: 1 });
  });

  it('says why a run stopped from its run-finished entry (a maintenance window closing)', () => {
    const status = journalStatus([
      started(0),
      ...cycle(10, 'w1', 'uncordon'),
      {
        type: 'run-finished',
        at: 30,
        runId: run,
        outcome: 'aborted',
        code: 'WINDOW_CLOSED',
        message: 'stopped between nodes: w2 not started: expected to take 823s',
      } as JournalEntry,
    ])!;
    expect(status).toMatchObject({
      state: 'aborted',
      reason: {
        code: 'WINDOW_CLOSED',
        message: 'stopped between nodes: w2 not started: expected to take 823s',
      },
      cordoned: [],
    });
  });
});

describe('journalStatus: a selected run that leaves mixed versions', () => {
  const mixed = {
    target: '1.11.0',
    atTarget: ['w1'],
    notAtTarget: ['w2'],
    source: 'live',
  };
  const entries: JournalEntry[] = [
    {
      ...started(1),
      data: { selection: { requested: { canary: 1 }, nodes: ['w1'], canary: true } },
    },
    ...cycle(2, 'w1', 'cordon'),
    ...cycle(4, 'w1', 'uncordon'),
    {
      type: 'run-finished',
      at: 9,
      runId: run,
      outcome: 'succeeded',
      data: { mixedVersions: mixed },
    },
  ];

  it('says what was selected and that the cluster is left at mixed versions', () => {
    const status = journalStatus(entries)!;
    expect(status.selection).toEqual({ requested: { canary: 1 }, nodes: ['w1'], canary: true });
    expect(status.mixedVersions).toEqual(mixed);
  });

  it('an unfinished run claims no mixed versions it has not recorded', () => {
    expect(journalStatus(entries.slice(0, -1))!.mixedVersions).toBeUndefined();
  });
});
