import { describe, expect, it } from 'vitest';
import type { Plan } from '../../core/plan.js';
import type { JournalEntry } from '../../ports/journal.js';
import { chooseRunId } from './run-id.js';

const plan = { cluster: 'c', kind: 'cattle', to: '1.11.0' } as Plan;
const clock = { now: () => Date.parse('2026-01-01T00:00:00Z') } as never;
const io = { stderr: () => undefined };
const journal = (entries: JournalEntry[]) => ({
  append: async () => undefined,
  readAll: async () => entries,
});
const run = (data: Record<string, unknown>): JournalEntry[] => [
  { type: 'run-started', at: 1, runId: 'old', kind: 'cattle', to: '1.11.0', data },
  { type: 'run-finished', at: 2, runId: 'old', outcome: 'succeeded' },
];

describe('chooseRunId after a selected run', () => {
  it('--resume after a finished canary starts the full run afresh', async () => {
    const choice = await chooseRunId(
      plan,
      true,
      journal(run({ selection: { nodes: ['w1'], canary: true }, binding: { plan: 'x' } })),
      'j',
      io,
      clock,
      { cluster: 'a', config: 'b', plan: 'other' },
    );
    expect(choice.finished).toBeUndefined();
    expect(choice.runId).not.toBe('old');
  });

  it('--resume after a finished full run still has nothing to do', async () => {
    const choice = await chooseRunId(plan, true, journal(run({})), 'j', io, clock);
    expect(choice).toMatchObject({ runId: 'old', finished: { outcome: 'succeeded' } });
  });

  it('resuming an unfinished selected run without its flags names them', async () => {
    const entries = run({
      selection: { requested: { canary: 2 }, nodes: ['w1', 'w2'], canary: true },
      binding: { plan: 'canary' },
    }).slice(0, 1);
    const error = await chooseRunId(plan, true, journal(entries), 'j', io, clock, {
      cluster: 'a',
      config: 'b',
      plan: 'full',
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'JOURNAL_OTHER_RUN' });
    expect((error as { hint: string }).hint).toMatch(/and its selection \(--canary 2\)/);
  });
});
