/** How a run that stopped early ends up in its report: aborted or failed, and where. */
import { DroverError, isDroverError } from '../core/errors.js';
import type { ReportFailure, ReportOutcome } from '../core/report.js';
import type { RunState } from './context.js';
import { asDroverError, StepFailure } from './run-step.js';
import { UnitStopped } from './run-unit.js';

/** The run's outcome so far; a stop or a failing after-run hook changes it. */
export interface RunEnd {
  outcome: ReportOutcome;
  failure: ReportFailure | null;
}

/** The report's failure: the step that failed (or the run itself), and what to do next. */
export function failureOf(
  error: DroverError,
  step: StepFailure['step'] | undefined,
): ReportFailure {
  return {
    stepId: step?.id ?? 'run',
    node: step?.node ?? null,
    action: step?.action ?? 'run',
    code: error.code,
    category: error.category,
    message: error.message,
    hint:
      error.hint ??
      (error.category === 'aborted'
        ? 'Run again with --resume to continue from the journal.'
        : `Fix the cause of ${error.code}, then run again with --resume: the journal records where it stopped.`),
  };
}

/**
 * What `error` ends the run as; marks the run as stopping (so no unit starts another node) and
 * logs where it stopped. `signal`: the run's own, aborted by the caller or a lost lease.
 */
export function stopRun(run: RunState, error: unknown, signal: AbortSignal): RunEnd {
  run.stopRequested = true;
  const stepFailure = error instanceof StepFailure ? error : undefined;
  const cause =
    error instanceof UnitStopped
      ? new DroverError('failed', 'STOPPED', error.message)
      : (stepFailure?.error ?? asDroverError(error));
  const aborted =
    cause.category === 'aborted' ||
    (isDroverError(cause) && signal.aborted && cause.code === 'ABORTED');
  const failure = failureOf(cause, stepFailure?.step);
  run.log(
    'error',
    `stopped at ${failure.stepId}${failure.node ? ` on ${failure.node}` : ''}: [${failure.code}] ${failure.message}`,
    failure.node ?? undefined,
  );
  return { outcome: aborted ? 'aborted' : 'failed', failure };
}
