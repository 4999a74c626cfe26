/** Which run a real `drover upgrade` is: a fresh one, or the journal's newest (--resume). */
import { DroverError } from '../../core/errors.js';
import type { Plan } from '../../core/plan.js';
import { latestRunId } from '../../engine/journal-view.js';
import type { Clock, JournalStore } from '../../ports/index.js';

export function runIdOf(plan: Plan, clock: Clock): string {
  return `${plan.cluster}-${plan.kind}-${plan.to}-${new Date(clock.now()).toISOString()}`;
}

/**
 * --resume continues the journal's latest run; with no journal or an empty one it starts fresh
 * (the workflows always pass --resume). Without --resume an unfinished run is never ignored.
 */
export async function chooseRunId(
  plan: Plan,
  resume: boolean,
  journal: JournalStore,
  journalFile: string,
  io: { stderr(text: string): void },
  clock: Clock,
): Promise<string> {
  const entries = await journal.readAll();
  const latest = latestRunId(entries);
  const started = entries.find((e) => e.runId === latest && e.type === 'run-started');
  const finished = entries.some((e) => e.runId === latest && e.type === 'run-finished');
  if (resume) {
    if (latest === undefined) {
      io.stderr(`--resume: the journal ${journalFile} holds no run; starting a fresh one\n`);
      return runIdOf(plan, clock);
    }
    if (started && (started.kind !== plan.kind || started.to !== plan.to)) {
      throw new DroverError(
        'input',
        'JOURNAL_OTHER_RUN',
        `the journal ${journalFile} records a ${started.kind ?? '?'} upgrade to ${started.to ?? '?'}, not ${plan.kind} to ${plan.to}`,
        { hint: 'Pass the --journal of this upgrade (one journal per kind and target).' },
      );
    }
    io.stderr(`--resume: continuing run ${latest} from ${journalFile}\n`);
    return latest;
  }
  if (latest !== undefined && !finished) {
    throw new DroverError(
      'input',
      'JOURNAL_UNFINISHED',
      `the journal ${journalFile} holds an unfinished run (${latest})`,
      { hint: 'Pass --resume to finish it, or use another --journal to start over deliberately.' },
    );
  }
  return runIdOf(plan, clock);
}
