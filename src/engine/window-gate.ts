/**
 * Maintenance windows in the engine (core/maintenance-window.ts does the arithmetic):
 * - before the run takes the lock, it must be inside a window: outside one it waits for the
 *   next on the clock port (virtual in simulate), or is refused (exit 3), as the policy says;
 * - a node's cycle, a cluster step and a batch of template rebuilds start only when their
 *   expected duration (the nominal step durations, the numbers the estimate uses: summed for
 *   a sequence, the longest for a batch) ends by the window's end;
 *   otherwise the run stops cleanly between nodes with WINDOW_CLOSED (exit 4): units already
 *   running finish, nothing is left cordoned, the lease is released, the journal's run-finished
 *   says why, and `--resume` in the next window continues.
 * A unit a crashed run left half-done is out of service already: it is finished, never held back.
 */
import type { StepDurations } from '../core/durations.js';
import { DroverError, isDroverError } from '../core/errors.js';
import {
  currentSpan,
  describeSpan,
  fitsBeforeEnd,
  longestSpanSeconds,
  nextSpan,
} from '../core/maintenance-window.js';
import type { MaintenancePolicy } from '../core/maintenance-window-grammar.js';
import type { WindowSpan } from '../core/maintenance-window.js';
import type { Plan, PlanStep } from '../core/plan.js';
import { describeInstant } from '../core/zoned-time.js';
import type { Clock } from '../ports/clock.js';
import type { JournalEntry } from '../ports/journal.js';
import type { Reporter } from '../ports/reporter.js';
import { hasAnyEntry, isStepDone } from './journal-view.js';

export const WINDOW_CLOSED = 'WINDOW_CLOSED';

export function isWindowClosed(error: unknown): boolean {
  return isDroverError(error) && error.code === WINDOW_CLOSED;
}

/** Seconds the steps are expected to take, one after the other, or all at once (a batch). */
export function expectedSeconds(
  steps: readonly PlanStep[],
  durations: StepDurations,
  mode: 'sequence' | 'parallel' = 'sequence',
): number {
  const each = steps.map((s) => durations[s.action]);
  return mode === 'parallel' ? Math.max(0, ...each) : each.reduce((sum, d) => sum + d, 0);
}

/** Checks work before it starts; throws WINDOW_CLOSED when it would cross the window's end. */
export interface WindowGuard {
  /** `what` names the work (a node, a cluster step, a batch of template rebuilds) in the reason. */
  beforeStart(what: string, steps: readonly PlanStep[], mode?: 'sequence' | 'parallel'): void;
}

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

function refuseOutside(policy: MaintenancePolicy, now: number, next: WindowSpan | undefined) {
  const zone = policy.windows[0]?.zone ?? 'UTC';
  return new DroverError(
    'refused',
    'OUTSIDE_WINDOW',
    `outside every maintenance window at ${describeInstant(now, zone)}; next: ${next ? describeSpan(next) : 'none within 15 days'}`,
    {
      hint: 'Run again inside a window (the workflow can be scheduled for it), or set maintenance.outsideWindow: wait (or --outside-window wait) to wait for the next one.',
      details: {
        windows: policy.windows.map((w) => w.text),
        ...(next ? { nextStart: new Date(next.start).toISOString() } : {}),
      },
    },
  );
}

/** Nodes whose cycle an earlier process of the run started and did not finish. */
export function halfDoneNodes(plan: Plan, entries: JournalEntry[]): string[] {
  return plan.phases
    .flatMap((p) => p.units)
    .filter(
      (u) =>
        hasAnyEntry(
          entries,
          u.steps.map((s) => s.id),
        ) && !u.steps.every((s) => isStepDone(entries, s.id)),
    )
    .map((u) => u.node);
}

/**
 * Refuses (exit 3) a plan with a node cycle, a cluster step or a batch of template rebuilds
 * still to do that no window is long enough for: every run would stop before it, for ever.
 */
export async function checkWindowsLongEnough(
  policy: MaintenancePolicy | undefined,
  plan: Plan,
  durations: StepDurations,
  ports: { clock: Clock },
  journal: () => Promise<JournalEntry[]>,
): Promise<void> {
  if (policy === undefined || policy.windows.length === 0) return;
  const entries = await journal();
  // Nodes a crashed run left half-done are finished first, whatever the windows.
  if (halfDoneNodes(plan, entries).length > 0) return;
  const longest = longestSpanSeconds(policy.windows, ports.clock.now());
  const todo = (steps: PlanStep[]) => steps.filter((s) => !isStepDone(entries, s.id));
  const work = plan.phases.flatMap((phase) => [
    ...phase.units
      .filter(
        (u) =>
          !hasAnyEntry(
            entries,
            u.steps.map((s) => s.id),
          ),
      )
      .map((u) => ({ what: u.node, seconds: expectedSeconds(u.steps, durations) })),
    ...todo(phase.steps).map((s) => ({
      what: s.id,
      // Rebuilds run in batches: one batch at a time is what has to fit.
      seconds: expectedSeconds([s], durations),
    })),
  ]);
  const tooLong = work.filter((w) => w.seconds > longest);
  if (tooLong.length === 0) return;
  const first = tooLong[0]!;
  throw new DroverError(
    'refused',
    'WINDOW_TOO_SHORT',
    `no maintenance window is long enough: ${first.what} is expected to take ${first.seconds}s, the longest window gives ${longest}s${tooLong.length > 1 ? ` (${tooLong.length} items do not fit)` : ''}`,
    {
      hint: 'Lengthen a maintenance window (or join windows so that they touch) in maintenance.windows, or remove the section.',
      details: { longestWindowSeconds: longest, tooLong: tooLong.map((w) => w.what) },
    },
  );
}

/**
 * Resolves once the clock is inside a window (waiting on the clock when the policy says wait),
 * returning a line for the report; throws OUTSIDE_WINDOW (exit 3) otherwise. Called before the
 * lock is taken: a run waiting for its window holds nothing. Outside every window, a resume
 * that finds nodes a crashed run left half-done goes on at once: those are out of service
 * already and are finished; the guard then starts nothing new (exit 4).
 */
export async function awaitWindow(
  policy: MaintenancePolicy | undefined,
  ports: { clock: Clock; reporter: Reporter },
  signal?: AbortSignal,
  halfDone: () => Promise<string[]> = async () => [],
): Promise<string | undefined> {
  if (policy === undefined || policy.windows.length === 0) return undefined;
  const { clock } = ports;
  const log: Log = (level, message) =>
    ports.reporter.event({ type: 'log', at: clock.now(), level, message });
  let waited: string | undefined;
  for (;;) {
    const now = clock.now();
    const span = currentSpan(policy.windows, now);
    if (span !== undefined) {
      const line = `inside the maintenance window ${describeSpan(span)}: a node starts only when its expected duration ends by then`;
      log('info', line);
      return waited === undefined ? line : `${waited}; ${line}`;
    }
    const next = nextSpan(policy.windows, now);
    const unfinished = waited === undefined ? await halfDone() : [];
    if (unfinished.length > 0) {
      const line = `outside every maintenance window, but an earlier run left ${unfinished.join(', ')} half-done: finishing ${unfinished.length === 1 ? 'it' : 'them'}, starting nothing new`;
      log('warn', line);
      return line;
    }
    if (policy.outsideWindow === 'exit' || next === undefined)
      throw refuseOutside(policy, now, next);
    waited = `started outside every maintenance window (${describeInstant(now, next.zone)}) and waited for the next`;
    log('warn', `outside every maintenance window: waiting until ${describeSpan(next)}`);
    await clock.sleep(next.start - now, signal);
  }
}

/** The guard for a run inside a window; undefined when the policy has no windows. */
export function windowGuard(
  policy: MaintenancePolicy | undefined,
  durations: StepDurations,
  clock: Clock,
  log: Log,
): WindowGuard | undefined {
  if (policy === undefined || policy.windows.length === 0) return undefined;
  // Said once: the scheduler then offers every other pending node, each held back the same way.
  let said = false;
  return {
    beforeStart(what, steps, mode) {
      const expected = expectedSeconds(steps, durations, mode);
      if (expected === 0) return;
      const now = clock.now();
      const span = currentSpan(policy.windows, now);
      if (span !== undefined && fitsBeforeEnd(span, now, expected)) return;
      const zone = span?.zone ?? policy.windows[0]?.zone ?? 'UTC';
      const reason =
        span === undefined
          ? `the maintenance window has closed (now ${describeInstant(now, zone)})`
          : `expected to take ${expected}s, it would cross the maintenance window's end at ${describeInstant(span.end, zone)}`;
      const next = nextSpan(policy.windows, now);
      const message = `stopped between nodes: ${what} not started: ${reason}`;
      if (!said) log('warn', message);
      said = true;
      throw new DroverError('aborted', WINDOW_CLOSED, message, {
        hint: `Nothing is left half-done: run again with --resume inside the next window${next ? ` (${describeSpan(next)})` : ''}.`,
        details: {
          what,
          expectedSeconds: expected,
          ...(span ? { windowEnd: new Date(span.end).toISOString() } : {}),
          ...(next ? { nextStart: new Date(next.start).toISOString() } : {}),
        },
      });
    },
  };
}
