/**
 * Wall-clock time in an IANA time zone, both ways, through Intl.DateTimeFormat: Node's ICU
 * carries the maintained tz database (process.versions.tz), so no offset is written by hand
 * and no dependency is needed. Pure: the instants are arguments, never read from a clock.
 */

/** A local date and time in some zone; month 1-12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether the tz database knows the zone (Intl throws a RangeError for an unknown one). */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

function partsAt(zone: string, ms: number): WallTime & { second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(ms))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The local wall time at an instant. */
export function wallTimeAt(zone: string, ms: number): WallTime {
  const { second: _second, ...wall } = partsAt(zone, ms);
  return wall;
}

/** The zone's UTC offset at an instant, in ms (local = UTC + offset). */
function offsetAt(zone: string, ms: number): number {
  const p = partsAt(zone, ms);
  const whole = Math.floor(ms / 1000) * 1000;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

const sameWall = (a: WallTime, b: WallTime) =>
  a.year === b.year &&
  a.month === b.month &&
  a.day === b.day &&
  a.hour === b.hour &&
  a.minute === b.minute;

/**
 * The instant a local wall time names in a zone. Around a DST change (the same rule as
 * Temporal's `compatible` disambiguation):
 * - a wall time that occurs twice (clocks go back) is its EARLIER instant;
 * - a wall time that does not exist (clocks go forward) moves forward by the gap's length
 *   (02:30 on the night Berlin goes from 02:00 to 03:00 is 03:30 summer time).
 * The offsets a day before and a day after are the only two candidates: tz changes are weeks
 * apart in every zone.
 */
export function instantOf(zone: string, wall: WallTime): number {
  const local = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = offsetAt(zone, local - DAY_MS);
  const after = offsetAt(zone, local + DAY_MS);
  const candidates = [local - before, local - after].filter((t) =>
    sameWall(wallTimeAt(zone, t), wall),
  );
  if (candidates.length > 0) return Math.min(...candidates);
  // In the gap: read with the offset in force before it, which lands after the change.
  return local - before;
}

/** Day of the week of a calendar date, 0 = Sunday (calendar arithmetic only, no zone). */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** The calendar date `days` after the given one (no zone involved). */
export function addDays(
  date: { year: number; month: number; day: number },
  days: number,
): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-12-05 06:00 Europe/Berlin (05:00Z)`: an instant as an operator reads it. */
export function describeInstant(ms: number, zone: string): string {
  const w = wallTimeAt(zone, ms);
  const utc = new Date(ms).toISOString();
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${zone} (${utc.slice(0, 16)}Z)`;
}
