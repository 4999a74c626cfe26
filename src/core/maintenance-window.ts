/**
 * Maintenance windows over time: when an upgrade may act. Pure arithmetic over instants given
 * as arguments; local times through zoned-time.ts (the tz database, never hand-written offsets).
 * The grammar (and the policy type) is in maintenance-window-grammar.ts.
 *
 * Windows that overlap or touch form one span (`Sat 22:00-24:00` and `Sun 00:00-04:00` are one
 * span of six hours). On DST nights the local times hold: a start or end that does not exist
 * (clocks go forward) moves forward by the gap, one that occurs twice (clocks go back) is the
 * earlier one; `Sun 02:00-06:00 Europe/Berlin` is three real hours on the last Sunday of March
 * and five on the last Sunday of October (a window wholly inside the skipped hour moves on by
 * the gap: `Sun 02:10-02:50` is 03:10-03:50 summer time that night; `Sun 02:00-03:00`, exactly
 * the skipped hour, has no time at all that night).
 */
import type { MaintenancePolicy, MaintenanceWindow } from './maintenance-window-grammar.js';
import type { WallTime } from './zoned-time.js';
import { addDays, describeInstant, instantOf, wallTimeAt, weekdayOf } from './zoned-time.js';

/** One stretch of time inside windows (overlapping or touching occurrences merged). */
export interface WindowSpan {
  start: number;
  end: number;
  /** The zone of the window that opens the span, for messages. */
  zone: string;
}

const wallOn = (date: { year: number; month: number; day: number }, minute: number): WallTime => {
  // 24:00 is midnight of the next day.
  const d = minute >= 24 * 60 ? addDays(date, 1) : date;
  const m = minute % (24 * 60);
  return { ...d, hour: Math.floor(m / 60), minute: m % 60 };
};

/** Every occurrence of one window that opens on a local date between the two instants' dates. */
function occurrences(w: MaintenanceWindow, fromMs: number, toMs: number): WindowSpan[] {
  const spans: WindowSpan[] = [];
  // A day early: an occurrence that opened yesterday may still be open at fromMs.
  let date = addDays(wallTimeAt(w.zone, fromMs), -1);
  const last = wallTimeAt(w.zone, toMs);
  for (let i = 0; i < 400; i++) {
    if (w.days.has(weekdayOf(date.year, date.month, date.day))) {
      const crosses = w.endMinute <= w.startMinute;
      const start = instantOf(w.zone, wallOn(date, w.startMinute));
      const end = instantOf(w.zone, wallOn(crosses ? addDays(date, 1) : date, w.endMinute));
      if (end > start) spans.push({ start, end, zone: w.zone });
    }
    if (date.year === last.year && date.month === last.month && date.day === last.day) break;
    date = addDays(date, 1);
  }
  return spans;
}

/** How far ahead the next window is looked for: every weekly window opens within 8 days. */
const HORIZON_MS = 15 * 86_400_000;

/** The windows' spans from a day before `atMs` to the horizon, merged and in order. */
function spansAround(windows: readonly MaintenanceWindow[], atMs: number): WindowSpan[] {
  const all = windows
    .flatMap((w) => occurrences(w, atMs - 86_400_000, atMs + HORIZON_MS))
    .sort((a, b) => a.start - b.start);
  const merged: WindowSpan[] = [];
  for (const span of all) {
    const prev = merged.at(-1);
    if (prev !== undefined && span.start <= prev.end) prev.end = Math.max(prev.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

/** The span `atMs` is inside (start inclusive, end exclusive), if any. */
export function currentSpan(
  windows: readonly MaintenanceWindow[],
  atMs: number,
): WindowSpan | undefined {
  return spansAround(windows, atMs).find((s) => s.start <= atMs && atMs < s.end);
}

/** The first span that opens after `atMs`, if one opens within the horizon. */
export function nextSpan(
  windows: readonly MaintenanceWindow[],
  atMs: number,
): WindowSpan | undefined {
  return spansAround(windows, atMs).find((s) => s.start > atMs);
}

/**
 * The longest stretch, in seconds, that any window gives from `atMs` on (the one open now
 * counted whole): work expected to take longer can never start.
 */
export function longestSpanSeconds(windows: readonly MaintenanceWindow[], atMs: number): number {
  const spans = spansAround(windows, atMs).filter((s) => s.end > atMs);
  return Math.max(0, ...spans.map((s) => (s.end - s.start) / 1000));
}

/**
 * Whether work expected to take `expectedSeconds`, started at `atMs`, ends by the span's end.
 * Ending exactly at the end fits.
 */
export function fitsBeforeEnd(span: WindowSpan, atMs: number, expectedSeconds: number): boolean {
  return atMs >= span.start && atMs + expectedSeconds * 1000 <= span.end;
}

/** One line on where `atMs` stands: inside a window until its end, or the next window. */
export function windowStatus(policy: MaintenancePolicy, atMs: number): string {
  const current = currentSpan(policy.windows, atMs);
  if (current !== undefined) return `inside the maintenance window ${describeSpan(current)}`;
  const next = nextSpan(policy.windows, atMs);
  const then =
    policy.outsideWindow === 'wait' ? 'a run would wait for' : 'a run would exit 3; next';
  return `outside every maintenance window: ${then} ${next ? describeSpan(next) : 'none within 15 days'}`;
}

export function describeSpan(span: WindowSpan): string {
  return `${describeInstant(span.start, span.zone)} to ${describeInstant(span.end, span.zone)}`;
}
