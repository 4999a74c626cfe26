/**
 * How a simulated run ends other than by finishing: a crash (a crash fault, or
 * --crash-after-steps) saves and freezes the world, then the process dies; a run still going
 * with no step finished for the deadline of simulated time is hung and fails loudly.
 */
import type { SimulatedCluster } from '../../adapters/simulated/index.js';
import { DroverError } from '../../core/errors.js';
import type { Clock, JournalEntry } from '../../ports/index.js';
import type { SimulateIo, SimulateOptions } from './simulate-options.js';

/** In-process stand-in for a killed process: the world and journal stay as the crash left them. */
export class SimulatedCrash extends Error {
  constructor(readonly afterSteps: number) {
    super(`simulated crash after ${afterSteps} completed step(s)`);
  }
}

export interface CrashLatch {
  /** Settles once the simulated process died. */
  crashed: Promise<'crashed'>;
  /** The engine's afterStep hook: counts steps, dies after --crash-after-steps of them. */
  afterStep(entry: JournalEntry): Promise<void>;
  completedSteps(): number;
}

export function crashLatch(
  cluster: SimulatedCluster,
  io: Pick<SimulateIo, 'reporter' | 'crash'>,
  crashAfterSteps: number | undefined,
): CrashLatch {
  let completed = 0;
  let died!: () => void;
  const crashed = new Promise<'crashed'>((resolve) => (died = () => resolve('crashed')));
  // A crash fault or --crash-after-steps: save the world, freeze it, then die.
  cluster.onCrash(() => {
    cluster.freeze();
    void io.reporter
      .flush()
      .then(() => io.crash())
      .then(died, died);
  });
  return {
    crashed,
    completedSteps: () => completed,
    afterStep: async (_entry: JournalEntry) => {
      completed++;
      if (crashAfterSteps !== undefined && completed >= crashAfterSteps) {
        cluster.crash();
        await crashed;
      }
    },
  };
}

/**
 * A run in which no step finished for this much simulated time is hung (a bug): it fails loudly
 * rather than spin forever. Counted from the last finished step, not from the start, so a large
 * cluster that keeps making progress is never called hung (5,000 nodes need ~450 h of simulated
 * time); the longest legitimate quiet spell is a maintenance window closed for a week. The
 * virtual clock only moves while something waits, so the guard costs nothing.
 */
const DEFAULT_DEADLINE_SECONDS = 14 * 24 * 3600;

export interface HangGuard {
  /** Rejects with SIMULATION_HUNG once no step finished for the deadline. */
  hung: Promise<never>;
  /** A step finished: the quiet spell starts again. */
  progressed(): void;
}

export function hangGuard(
  clock: Pick<Clock, 'now' | 'sleep'>,
  options: Pick<SimulateOptions, 'deadlineSeconds'>,
): HangGuard {
  const seconds = options.deadlineSeconds ?? DEFAULT_DEADLINE_SECONDS;
  let lastProgress = clock.now();
  const watch = async (): Promise<never> => {
    for (;;) {
      const due = lastProgress + seconds * 1000;
      if (clock.now() >= due) break;
      await clock.sleep(due - clock.now());
    }
    throw new DroverError(
      'failed',
      'SIMULATION_HUNG',
      `no step of the upgrade finished in ${seconds} s of simulated time`,
      {
        hint: 'A bug in the engine or the simulated cluster: report it with the scenario and seed.',
      },
    );
  };
  return {
    hung: watch(),
    progressed: () => {
      lastProgress = clock.now();
    },
  };
}
