/** A RunState over any ports (the twin's: twin-run.ts), for testing one handler or the drain alone. */
import { DEFAULT_STEP_DURATIONS } from '../../core/durations.js';
import { PASS } from '../../core/gates.js';
import { Redactor } from '../../core/redact.js';
import type { RunState } from '../context.js';
import { kubernetesRoles } from '../context.js';
import { Mutex } from '../mutex.js';
import type { Ports } from '../../ports/index.js';

/** A RunState over any ports (the twin's), holding the lease throughout. */
export function runStateOver(
  parts: Pick<RunState, 'plan' | 'inventory' | 'policy' | 'signal'> & { ports: Ports },
): RunState {
  const { kubernetes, ...ports } = parts.ports;
  return {
    ...parts,
    ports,
    kubernetes: kubernetesRoles(kubernetes),
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
