/**
 * Resume trusts the journal's step entries by step id: a step finished there is not run again.
 * An entry whose id is a step of this plan but whose action is another one was written for
 * another plan (or edited): taking it as done would skip, say, a replace-vm on the word of a
 * drain. Such a journal is refused before the lock is taken, naming the step.
 */
import { DroverError } from '../core/errors.js';
import { allSteps } from '../core/plan.js';
import type { Plan } from '../core/plan.js';
import type { JournalEntry } from '../ports/journal.js';

export function checkJournalMatchesPlan(plan: Plan, entries: readonly JournalEntry[]): void {
  const actionOf = new Map(allSteps(plan).map((s) => [s.id, s.action]));
  for (const entry of entries) {
    if (entry.stepId === undefined || entry.action === undefined) continue;
    const planned = actionOf.get(entry.stepId);
    if (planned === undefined || planned === entry.action) continue;
    throw new DroverError(
      'input',
      'JOURNAL_OTHER_RUN',
      `the journal's ${entry.type} entry for step ${entry.stepId} is a ${entry.action}; in this plan that step is a ${planned}`,
      {
        hint: 'The journal was written for another plan or edited: resume with the config the run started with, or pass another --journal to start over deliberately.',
        details: { stepId: entry.stepId, journal: entry.action, plan: planned },
      },
    );
  }
}
