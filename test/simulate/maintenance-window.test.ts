/**
 * Maintenance windows end to end (issue 13): a run the window cuts off stops cleanly between
 * nodes (exit 4) and a resume in the next window finishes; a node whose expected duration
 * would cross the window's end is never started; a run started outside every window exits 3
 * or waits for the next one on the virtual clock.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { createSimulatedCluster, loadScenario } from '../../src/adapters/simulated/index.js';
import { lineOf } from '../../src/app/config/field-path.js';
import { DEFAULT_STEP_DURATIONS } from '../../src/core/durations.js';
import { DroverError, EXIT_WINDOW_CLOSED, exitCodeFor } from '../../src/core/errors.js';
import type { StepAction } from '../../src/core/plan.js';
import type { JournalEntry } from '../../src/ports/journal.js';
import { crashAndResume, scenarioFile, simulateInProcess, tempDir } from './helpers.js';

// Europe/Berlin is on CET (UTC+1) in December 2026. Sat 5 Dec: 02:00-06:00 is 01:00Z-05:00Z;
// the next window opens Sun 6 Dec 00:00 CET, Sat 5 Dec 23:00Z.
const WINDOWS = ['Sat 02:00-06:00 Europe/Berlin', 'Sun 00:00-12:00 Europe/Berlin'];
const FIRST_END = Date.parse('2026-12-05T05:00:00Z');
const NEXT_START = Date.parse('2026-12-05T23:00:00Z');

const readJournal = (file: string): JournalEntry[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as JournalEntry);

/** Expected seconds of each node's cycle: the nominal durations of its steps (the reference's). */
function expectedByNode(entries: JournalEntry[]): Map<string, { first: number; expected: number }> {
  const byNode = new Map<string, { first: number; actions: Set<string> }>();
  for (const e of entries) {
    if (e.node === undefined || !e.type.startsWith('step-') || e.action === undefined) continue;
    const seen = byNode.get(e.node) ?? { first: e.at, actions: new Set<string>() };
    seen.actions.add(e.action);
    byNode.set(e.node, seen);
  }
  return new Map(
    [...byNode].map(([node, { first, actions }]) => [
      node,
      {
        first,
        expected: [...actions].reduce((s, a) => s + DEFAULT_STEP_DURATIONS[a as StepAction], 0),
      },
    ]),
  );
}

describe('maintenance windows', () => {
  it('a window closing mid-run stops it between nodes (exit 4, lease released, journal says why); a resume waits for the next window and finishes with every VM replaced once', async () => {
    const dir = tempDir();
    const scenario = scenarioFile(dir, 'window-closes', (s) => {
      s.startAt = '2026-12-05T04:00:00Z';
      s.maintenance = { windows: WINDOWS, outsideWindow: 'wait' };
    });
    const files = { worldFile: join(dir, 'world.json'), journalFile: join(dir, 'journal.jsonl') };

    const first = await simulateInProcess({ scenarioFile: scenario, ...files });
    expect(first.exitCode).toBe(EXIT_WINDOW_CLOSED);
    expect(first.report.outcome).toBe('aborted');
    expect(first.report.failure?.code).toBe('WINDOW_CLOSED');
    expect(first.report.violations).toEqual([]);
    // Between nodes: each node either went all the way or was never touched.
    const outcomes = first.report.nodes.map((n) => n.outcome);
    expect(outcomes).toContain('succeeded');
    expect(outcomes).toContain('not-started');
    expect(outcomes.filter((o) => o !== 'succeeded' && o !== 'not-started')).toEqual([]);
    expect(first.report.nodes.filter((n) => n.leftCordoned)).toEqual([]);
    // The stopped run's report is a valid report (ajv 6 through eslint, as timeline.test.ts).
    const validate = new Ajv({ allErrors: true }).compile(
      JSON.parse(
        readFileSync(new URL('../../schema/report.schema.json', import.meta.url), 'utf8'),
      ) as object,
    );
    expect(validate(first.report), JSON.stringify(validate.errors)).toBe(true);

    const journal = readJournal(files.journalFile);
    const finished = journal.filter((e) => e.type === 'run-finished');
    expect(finished).toHaveLength(1);
    expect(finished[0]?.code).toBe('WINDOW_CLOSED');
    expect(finished[0]?.message).toContain("would cross the maintenance window's end");
    // Every node started with its whole expected cycle ahead of it inside the window.
    const started = expectedByNode(journal);
    expect(started.size).toBeGreaterThan(0);
    for (const [node, { first: at, expected }] of started)
      expect({ node, fits: at + expected * 1000 <= FIRST_END }).toEqual({ node, fits: true });

    // The lease is free: another runner takes it at once, with nothing to take over.
    const copy = join(dir, 'world-copy.json');
    copyFileSync(files.worldFile, copy);
    const parsed = loadScenario(readFileSync(scenario, 'utf8'), scenario, lineOf);
    const probe = await createSimulatedCluster({ scenario: parsed, seed: 1, worldFile: copy });
    try {
      const lock = probe.newLock();
      expect(await lock.acquire('another-runner', 300)).toEqual({ acquired: true });
    } finally {
      await probe.close();
    }

    // The next run, an hour later, starts outside every window, waits on the virtual clock
    // for the next one, then resumes.
    const resumed = await simulateInProcess({
      scenarioFile: scenario,
      ...files,
      resume: true,
      advanceSeconds: 3600,
    });
    expect(resumed.report.failure).toBeNull();
    expect(resumed.exitCode).toBe(0);
    expect(resumed.report.outcome).toBe('succeeded');
    expect(resumed.report.violations).toEqual([]);
    expect(resumed.report.nodes.every((n) => n.outcome === 'succeeded')).toBe(true);
    expect(resumed.report.nodes.every((n) => n.vmReplacements === 1)).toBe(true);
    const starts = readJournal(files.journalFile).filter((e) => e.type === 'run-started');
    expect(starts.map((e) => e.at)).toEqual([Date.parse('2026-12-05T04:00:00Z'), NEXT_START]);
  }, 120_000);

  it('never starts a node whose expected duration would cross the end: nothing is touched', async () => {
    const dir = tempDir();
    // Five minutes before the end; a pets control plane cycle is expected to take longer
    // (talos-upgrade 240 s + wait-ready 150 s + drain 60 s alone).
    const scenario = scenarioFile(dir, 'window-too-short', (s) => {
      s.startAt = '2026-12-05T04:55:00Z';
      s.maintenance = { windows: WINDOWS, outsideWindow: 'exit' };
    });
    const journalFile = join(dir, 'journal.jsonl');
    const result = await simulateInProcess({
      scenarioFile: scenario,
      kind: 'pets',
      journalFile,
      worldFile: join(dir, 'world.json'),
    });
    expect(result.exitCode).toBe(EXIT_WINDOW_CLOSED);
    expect(result.report.failure?.code).toBe('WINDOW_CLOSED');
    expect(result.report.failure?.message).toMatch(
      /k8s-ctrl-1 not started: expected to take \d+s, it would cross the maintenance window's end at 2026-12-05 06:00 Europe\/Berlin/,
    );
    expect(result.report.violations).toEqual([]);
    expect(result.report.nodes.every((n) => n.outcome === 'not-started')).toBe(true);
    expect(readJournal(journalFile).filter((e) => e.type.startsWith('step-'))).toEqual([]);
  }, 60_000);

  it('outside every window: exit 3 before anything, naming the next window; or a wait on the virtual clock', async () => {
    const dir = tempDir();
    const outside = (mode: 'wait' | 'exit') =>
      scenarioFile(dir, `outside-${mode}`, (s) => {
        s.startAt = '2026-12-05T12:00:00Z';
        s.maintenance = { windows: WINDOWS, outsideWindow: mode };
      });
    const journalFile = join(dir, 'journal.jsonl');
    const refused = await simulateInProcess({
      scenarioFile: outside('exit'),
      kind: 'pets',
      journalFile,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(DroverError);
    expect((refused as DroverError).code).toBe('OUTSIDE_WINDOW');
    expect(exitCodeFor(refused)).toBe(3);
    expect((refused as DroverError).message).toContain(
      'next: 2026-12-06 00:00 Europe/Berlin (2026-12-05T23:00Z)',
    );
    expect(() => readFileSync(journalFile, 'utf8')).toThrow();

    const waited = await simulateInProcess({
      scenarioFile: outside('wait'),
      kind: 'pets',
      journalFile,
    });
    expect(waited.exitCode).toBe(0);
    expect(waited.report.violations).toEqual([]);
    const start = readJournal(journalFile).find((e) => e.type === 'run-started');
    expect(start?.at).toBe(NEXT_START);
    expect(waited.report.notes.join('\n')).toContain('waited for the next');
  }, 60_000);
});

describe('a crash near the end of a window', () => {
  it('the resume, outside every window, finishes the half-done node and starts nothing new (exit 4)', async () => {
    const dir = tempDir();
    const scenario = scenarioFile(dir, 'window-crash', (s) => {
      s.startAt = '2026-12-05T04:00:00Z';
      s.maintenance = { windows: WINDOWS, outsideWindow: 'exit' };
    });
    // Dies a few steps into k8s-ctrl-1's in-place upgrade; back two hours later (07:00 Berlin).
    const { crashed, resumed } = await crashAndResume({
      scenarioFile: scenario,
      kind: 'pets',
      crashAfterSteps: 4,
      advanceSeconds: 7200,
    });
    expect(crashed).toBe(true);
    expect(resumed?.report.notes.join('\n')).toContain('left k8s-ctrl-1 half-done: finishing it');
    expect(resumed?.exitCode).toBe(EXIT_WINDOW_CLOSED);
    expect(resumed?.report.violations).toEqual([]);
    const outcomes = Object.fromEntries(resumed!.report.nodes.map((n) => [n.name, n.outcome]));
    expect(outcomes['k8s-ctrl-1']).toBe('succeeded');
    expect(Object.values(outcomes).filter((o) => o === 'succeeded')).toHaveLength(1);
    expect(resumed?.report.nodes.filter((n) => n.leftCordoned)).toEqual([]);
  }, 60_000);
});

describe('scenario maintenance fields', () => {
  it.each([
    [{ startAt: '2026-12-05 23:30' }, /startAt: must be an ISO 8601 date and time with a zone/],
    [
      { maintenance: { windows: ['Sat 02:00-06:00 Europe/Berlim'] } },
      /maintenance\.windows\[0\]: unknown time zone "Europe\/Berlim"/,
    ],
  ])('a bad %j is an input error naming the field', (change, problem) => {
    const dir = tempDir();
    const file = scenarioFile(dir, 'bad-window', (s) => Object.assign(s, change));
    const error = (() => {
      try {
        loadScenario(readFileSync(file, 'utf8'), file, lineOf);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(exitCodeFor(error)).toBe(2);
    expect((error as Error).message).toMatch(problem);
  });
});
