/**
 * What a journal line must be before resume trusts it: one entry type of ports/journal.ts with
 * the fields that type needs, each of the right kind. Fields this version does not know are
 * kept (a newer Drover may add some); a wrong or missing one is corruption, named by line and
 * field, because resume acts on what the journal says was done.
 */
import { z } from 'zod';
import { STEP_ACTIONS, UPGRADE_KINDS } from '../../core/plan.js';
import { RUN_OUTCOMES, STEP_OUTCOMES } from '../../ports/journal.js';
import type { JournalEntry } from '../../ports/journal.js';

const common = {
  at: z.number().finite().nonnegative(),
  runId: z.string().min(1),
  stepId: z.string().min(1).optional(),
  node: z.string().min(1).optional(),
  // A step's action is one this version has a handler for (core/plan.ts): resume acts on it.
  action: z.enum(STEP_ACTIONS).optional(),
  message: z.string().optional(),
  code: z.string().optional(),
  attempt: z.number().int().positive().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
};

export const journalEntrySchema = z.discriminatedUnion('type', [
  z.looseObject({
    ...common,
    type: z.literal('run-started'),
    kind: z.enum(UPGRADE_KINDS).optional(),
    from: z.string().optional(),
    to: z.string().optional(),
  }),
  z.looseObject({ ...common, type: z.literal('step-started'), stepId: z.string().min(1) }),
  z.looseObject({
    ...common,
    type: z.literal('step-finished'),
    stepId: z.string().min(1),
    outcome: z.enum(STEP_OUTCOMES),
  }),
  z.looseObject({ ...common, type: z.literal('run-finished'), outcome: z.enum(RUN_OUTCOMES) }),
  z.looseObject({ ...common, type: z.literal('note') }),
]);

/** The entry, or why not as `field: problem`. */
export function checkJournalEntry(
  value: unknown,
): { entry: JournalEntry; problem?: undefined } | { entry?: undefined; problem: string } {
  const result = journalEntrySchema.safeParse(value);
  if (result.success) return { entry: result.data as JournalEntry };
  const issue = result.error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : 'entry';
  return { problem: `${path}: ${issue?.message ?? 'invalid'}` };
}
