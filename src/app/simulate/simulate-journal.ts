/**
 * The journal of a simulated run: a file when the run can be resumed (--journal, or beside
 * --world), else memory; fenced so nothing lands after a simulated crash; and the run id a
 * fresh run gets or a resumed one takes from the journal.
 */
import { JsonlJournal, MemoryJournal } from '../../adapters/journal/index.js';
import type { SimulatedCluster } from '../../adapters/simulated/index.js';
import { DroverError } from '../../core/errors.js';
import { latestRunId } from '../../engine/journal-view.js';
import type { JournalStore } from '../../ports/index.js';
import type { SecretWatch } from './secret-watch.js';
import type { SimulateOptions } from './simulate-options.js';

export function journalFor(options: SimulateOptions): JournalStore & { close?(): Promise<void> } {
  const file =
    options.journalFile ?? (options.worldFile ? `${options.worldFile}.journal.jsonl` : undefined);
  if (file !== undefined) return new JsonlJournal(file);
  if (options.resume || options.crashAfterSteps !== undefined) {
    throw new DroverError(
      'usage',
      'JOURNAL_REQUIRED',
      '--resume and --crash-after-steps need a journal that outlives the process',
      {
        hint: 'Pass --journal FILE (and --world FILE so the simulated cluster survives too).',
      },
    );
  }
  // Nothing could resume this run: keep its journal in memory (no fsync per step).
  return new MemoryJournal();
}

/**
 * A journal whose writes stop dead once the process "died" (nothing after the crash lands), and
 * whose entries are checked for served secrets (invariant no-secret-leaks).
 */
export function fenced(
  journal: JournalStore,
  dead: () => boolean,
  watch: SecretWatch,
): JournalStore {
  return {
    append: (entry) => {
      if (dead()) return new Promise<never>(() => undefined);
      watch.scan('the journal', JSON.stringify(entry));
      return journal.append(entry);
    },
    readAll: () => journal.readAll(),
  };
}

/** A fresh run's id, or the id of the run --resume continues (from the journal). */
export async function runIdFor(
  options: Pick<SimulateOptions, 'resume'>,
  cluster: SimulatedCluster,
  journal: JournalStore,
  seed: number,
): Promise<string> {
  if (options.resume && !cluster.resumedFromWorld) {
    // The journal would skip steps a fresh simulated cluster never saw.
    throw new DroverError(
      'usage',
      'WORLD_REQUIRED',
      '--resume needs the saved world of the run it continues',
      {
        hint: 'Pass the same --world FILE the interrupted run used.',
      },
    );
  }
  if (!options.resume) return `sim-${seed}-${new Date(cluster.clock.now()).toISOString()}`;
  const previous = latestRunId(await journal.readAll());
  if (previous === undefined) {
    throw new DroverError('usage', 'NOTHING_TO_RESUME', 'the journal holds no run to resume', {
      hint: "Run without --resume to start an upgrade, or point --journal at the crashed run's journal.",
    });
  }
  return previous;
}
