/**
 * Maintenance windows: when an upgrade may act. Pure arithmetic over instants given as
 * arguments; local times through zoned-time.ts (the tz database, never hand-written offsets).
 *
 * Grammar of one window (docs/configuration.md):
 *
 *   <days> <HH:MM>-<HH:MM> <time zone>
 *
 * - days: `daily`, a day (`Sat`), a range (`Mon-Fri`, wrapping allowed: `Fri-Mon`) or a
 *   comma-separated list of these (`Sat,Sun`, `Mon-Wed,Fri`); English three-letter names, any
 *   case. A day names the day the window OPENS.
 * - times: 24-hour local wall time; the end may be `24:00`. An end earlier than the start
 *   crosses midnight: `Sat 22:00-04:00` runs from Saturday 22:00 to Sunday 04:00.
 * - time zone: an IANA name (`Europe/Berlin`, `UTC`).
 *
 * Windows that overlap or touch form one span (`Sat 22:00-24:00` and `Sun 00:00-04:00` are one
 * span of six hours). On DST nights the local times hold: a start or end that does not exist
 * (clocks go forward) moves forward by the gap, one that occurs twice (clocks go back) is the
 * earlier one; `Sun 02:00-06:00 Europe/Berlin` is three real hours on the last Sunday of March
 * and five on the last Sunday of October (a window wholly inside the skipped hour moves on by
 * the gap: `Sun 02:10-02:50` is 03:10-03:50 summer time that night; `Sun 02:00-03:00`, exactly
 * the skipped hour, has no time at all that night).
 */
import { DroverError } from './errors.js';
import type { WallTime } from './zoned-time.js';
import {
  addDays,
  describeInstant,
  instantOf,
  isTimeZone,
  wallTimeAt,
  weekdayOf,
} from './zoned-time.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export interface MaintenanceWindow {
  /** As written in the config. */
  text: string;
  /** Days the window opens on, 0 = Sunday. */
  days: ReadonlySet<number>;
  /** Minutes after local midnight. */
  startMinute: number;
  /** Minutes after local midnight, up to 1440; at or before the start: the next day. */
  endMinute: number;
  zone: string;
}

/** What a run does when it starts outside every window: wait for the next, or exit 3. */
export const OUTSIDE_WINDOW_MODES = ['wait', 'exit'] as const;
export type OutsideWindowMode = (typeof OUTSIDE_WINDOW_MODES)[number];

/** The `maintenance` section: no windows at all means the run may act at any time. */
export interface MaintenancePolicy {
  windows: MaintenanceWindow[];
  outsideWindow: OutsideWindowMode;
}

/** Parses every window of a config; a problem names the index of the window it is about. */
export function parseWindows(texts: readonly string[]): {
  windows: MaintenanceWindow[];
  problems: { index: number; problem: string }[];
} {
  const windows: MaintenanceWindow[] = [];
  const problems: { index: number; problem: string }[] = [];
  texts.forEach((text, index) => {
    const parsed = parseWindow(text);
    if (parsed.ok) windows.push(parsed.window);
    else problems.push({ index, problem: parsed.problem });
  });
  return { windows, problems };
}

/**
 * The policy from already validated window texts (config and scenario schemas check each one
 * with parseWindow and name the field); a problem left here is a bug of the caller.
 */
export function maintenancePolicyOf(input: {
  windows: readonly string[];
  outsideWindow: OutsideWindowMode;
}): MaintenancePolicy {
  const { windows, problems } = parseWindows(input.windows);
  if (problems.length > 0)
    throw new DroverError(
      'input',
      'WINDOW_INVALID',
      `maintenance.windows[${problems[0]?.index}]: ${problems[0]?.problem}`,
      {
        hint: 'Write each window as <days> <HH:MM>-<HH:MM> <time zone>; see docs/configuration.md.',
      },
    );
  return { windows, outsideWindow: input.outsideWindow };
}

export type WindowParse = { ok: true; window: MaintenanceWindow } | { ok: false; problem: string };

/** One stretch of time inside windows (overlapping or touching occurrences merged). */
export interface WindowSpan {
  start: number;
  end: number;
  /** The zone of the window that opens the span, for messages. */
  zone: string;
}

const EXAMPLE = 'e.g. "Sat 02:00-06:00 Europe/Berlin" or "Mon-Fri 22:00-04:00 UTC"';
const SHAPE = /^\s*(\S+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s+(\S+)\s*$/;

function dayIndex(name: string): number {
  return (WEEKDAYS as readonly string[]).indexOf(name.toLowerCase());
}

function parseDays(text: string): Set<number> | string {
  if (text.toLowerCase() === 'daily') return new Set([0, 1, 2, 3, 4, 5, 6]);
  const days = new Set<number>();
  for (const item of text.split(',')) {
    const [from, to, extra] = item.split('-');
    const a = dayIndex(from ?? '');
    const b = to === undefined ? a : dayIndex(to);
    if (a < 0 || b < 0 || extra !== undefined)
      return `"${item}" is not a day or a range of days (Mon, Tue, Wed, Thu, Fri, Sat, Sun, daily; ranges like Mon-Fri)`;
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return days;
}

export function parseWindow(text: string): WindowParse {
  const m = SHAPE.exec(text);
  if (m === null)
    return {
      ok: false,
      problem: `"${text}" is not <days> <HH:MM>-<HH:MM> <time zone> (${EXAMPLE})`,
    };
  const [, daysText = '', sh = '', sm = '', eh = '', em = '', zone = ''] = m;
  const days = parseDays(daysText);
  if (typeof days === 'string') return { ok: false, problem: days };
  const startMinute = Number(sh) * 60 + Number(sm);
  const endMinute = Number(eh) * 60 + Number(em);
  if (Number(sh) > 23 || Number(sm) > 59)
    return { ok: false, problem: `start ${sh}:${sm} is not a time from 00:00 to 23:59` };
  if (Number(em) > 59 || endMinute > 24 * 60)
    return { ok: false, problem: `end ${eh}:${em} is not a time from 00:00 to 24:00` };
  if (endMinute === startMinute)
    return {
      ok: false,
      problem: `start and end are the same time (${sh}:${sm}); a whole day is written 00:00-24:00`,
    };
  if (!isTimeZone(zone))
    return {
      ok: false,
      problem: `unknown time zone "${zone}": use an IANA name such as Europe/Berlin or UTC`,
    };
  return { ok: true, window: { text, days, startMinute, endMinute, zone } };
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
