/**
 * Maintenance windows as written in drover.yaml (docs/configuration.md), parsed; the arithmetic
 * over instants is in maintenance-window.ts.
 *
 *   <days> <HH:MM>-<HH:MM> <time zone>
 *
 * - days: `daily`, a day (`Sat`), a range (`Mon-Fri`, wrapping allowed: `Fri-Mon`) or a
 *   comma-separated list of these (`Sat,Sun`, `Mon-Wed,Fri`); English three-letter names, any
 *   case. A day names the day the window OPENS.
 * - times: 24-hour local wall time; the end may be `24:00`. An end earlier than the start
 *   crosses midnight: `Sat 22:00-04:00` runs from Saturday 22:00 to Sunday 04:00.
 * - time zone: an IANA name (`Europe/Berlin`, `UTC`), known to the tz database.
 */
import { DroverError } from './errors.js';
import { isTimeZone } from './zoned-time.js';

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
