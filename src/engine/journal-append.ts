/**
 * The one way the engine writes its journal: redacted, stamped with the clock and the run id,
 * durable (the port's append) before it joins the run's entries.
 */
import type { JournalEntry } from '../ports/journal.js';
import type { RunState } from './context.js';

export async function appendEntry(
  run: RunState,
  entry: Omit<JournalEntry, 'at' | 'runId'>,
): Promise<JournalEntry> {
  const full = run.redactor.redactValue({
    ...entry,
    at: run.ports.clock.now(),
    runId: run.runId,
  } as JournalEntry);
  await run.ports.journal.append(full);
  run.entries.push(full);
  return full;
}
