/** The RunState one runUpgrade call shares with its phases, steps and cleanup. */
import type { JournalEntry } from '../ports/journal.js';
import type { RunState } from './context.js';
import { kubernetesRoles } from './context.js';
import { lastBackupOf } from './journal-view.js';
import { Mutex } from './mutex.js';
import type { RunUpgradeOptions } from './run-upgrade-options.js';

/**
 * `prior`: this run's journal entries so far (resume). `signal`: the run's own, which the caller's
 * signal and a lost lease both abort. Audit records and log lines leave redacted.
 */
export function createRunState(
  options: RunUpgradeOptions,
  prior: JournalEntry[],
  signal: AbortSignal,
): RunState {
  const { plan, ports, redactor } = options;
  // The engine holds Kubernetes by role only (context.ts): each module reaches what it needs.
  const { kubernetes, ...enginePorts } = ports;
  return {
    plan,
    inventory: options.inventory,
    policy: plan.policy,
    ports: enginePorts,
    kubernetes: kubernetesRoles(kubernetes),
    durations: options.durations,
    runId: options.runId,
    redactor,
    signal,
    stateMutex: new Mutex(),
    entries: [...prior],
    lastVerifiedBackup: lastBackupOf(prior),
    customChecks: options.customChecks ?? {},
    inFlightNodes: new Set(),
    stopRequested: false,
    audit: (record) =>
      options.audit?.(
        redactor.redactValue({ ...record, at: ports.clock.now(), runId: options.runId }),
      ),
    log: (level, message, node) =>
      ports.reporter.event({
        type: 'log',
        at: ports.clock.now(),
        level,
        message: redactor.redact(message),
        ...(node ? { node } : {}),
      }),
  };
}
