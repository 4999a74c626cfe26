import { describe, expect, it } from 'vitest';
import { journalStatus } from '../../app/status/journal-status.js';
import type { JournalEntry } from '../../ports/journal.js';
import { statusText } from './status-command.js';

describe('drover status text', () => {
  const run = 'r1';
  const at = (n: number, type: string, stepId: string) =>
    ({ type, at: n, runId: run, stepId, node: 'w1', action: stepId.split('/')[1] }) as JournalEntry;
  const started = (requested: Record<string, unknown>, nodes: string[], canary: boolean) =>
    ({
      type: 'run-started',
      at: 1,
      runId: run,
      kind: 'cattle',
      from: '1.10.8',
      to: '1.11.0',
      data: { selection: { requested, nodes, canary } },
    }) as JournalEntry;

  it('says what a canary selected and that the cluster is left at mixed versions', () => {
    const mixed = { target: '1.11.0', atTarget: ['w1'], notAtTarget: ['w2'], source: 'live' };
    const status = journalStatus([
      started({ canary: 1 }, ['w1'], true),
      at(2, 'step-started', 'w1/cordon'),
      { ...at(3, 'step-finished', 'w1/cordon'), outcome: 'succeeded' } as JournalEntry,
      {
        type: 'run-finished',
        at: 9,
        runId: run,
        outcome: 'succeeded',
        data: { mixedVersions: mixed },
      },
    ])!;
    const text = statusText({ journal: 'j.jsonl', status, notes: [] });
    expect(text).toMatch(
      /selected run \(--canary 1, a canary\): w1; a run without the selection upgrades the rest/,
    );
    expect(text).toMatch(
      /Mixed versions: the cluster is left at mixed Talos versions: 1 of 2 nodes run 1\.11\.0; not yet: w2\./,
    );
  });

  it('names the selection of a stopped selected run and the command that resumes it', () => {
    const status = journalStatus([
      started({ role: 'worker', limit: 3 }, ['w1', 'w2', 'w3'], false),
      at(2, 'step-started', 'w1/cordon'),
    ])!;
    const resumeCommand =
      'drover upgrade cattle --to 1.11.0 --resume --journal j.jsonl --role worker --limit 3';
    const text = statusText({ journal: 'j.jsonl', status, resumeCommand, notes: [] });
    expect(text).toMatch(
      /selected run \(--role worker --limit 3\): w1, w2, w3; a run without the selection upgrades the rest/,
    );
    expect(text).toContain(`  ${resumeCommand}\n`);
  });
});
