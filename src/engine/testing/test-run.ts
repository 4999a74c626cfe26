/** A RunState over any ports (the twin's: twin-run.ts), for testing one handler or the drain alone. */
import { DEFAULT_STEP_DURATIONS } from '../../core/durations.js';
import { PASS } from '../../core/gates.js';
import { Redactor } from '../../core/redact.js';
import type { RunState } from '../context.js';
import { Mutex } from '../mutex.js';

/** Holds the lease throughout; tests of losing it replace `lease`. */
export function runStateOver(
  parts: Pick<RunState, 'plan' | 'inventory' | 'policy' | 'ports' | 'signal'>,
): RunState {
  const { ports } = parts;
  return {
    ...parts,
    durations: DEFAULT_STEP_DURATIONS,
    runId: 'test',
    redactor: new Redactor(),
    stateMutex: new Mutex(),
    entries: [],
    lastVerifiedBackup: undefined,
    customChecks: {},
    inFlightNodes: new Set(),
    stopRequested: false,
    // Held throughout; tests of losing it replace this.
    lease: { confirm: async () => PASS },
    audit: () => undefined,
    log: (level, message, node) =>
      ports.reporter.event({
        type: 'log',
        at: ports.clock.now(),
        level,
        message,
        ...(node ? { node } : {}),
      }),
  };
}
