import { describe, expect, it } from 'vitest';
import { parseWindow } from './maintenance-window-grammar.js';
import type { MaintenanceWindow } from './maintenance-window-grammar.js';
import { currentSpan, fitsBeforeEnd, nextSpan, windowStatus } from './maintenance-window.js';

const windowOf = (text: string): MaintenanceWindow => {
  const parsed = parseWindow(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.window;
};
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('window spans', () => {
  // Europe/Berlin 2026: clocks go forward on Sun 29 March at 01:00Z (02:00 CET -> 03:00 CEST)
  // and back on Sun 25 October at 01:00Z (03:00 CEST -> 02:00 CET), per the tz database.
  it.each([
    // Spring forward: 02:00 does not exist and moves on by the gap (03:00 CEST); three real hours.
    [
      'Sun 02:00-06:00 Europe/Berlin',
      '2026-03-28T12:00:00Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-29T04:00:00.000Z',
    ],
    // Fall back: 02:00 happens twice, the earlier (CEST) one opens it; 06:00 CET ends it: five hours.
    [
      'Sun 02:00-06:00 Europe/Berlin',
      '2026-10-24T12:00:00Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T05:00:00.000Z',
    ],
    // The same window on an ordinary Sunday in winter (CET) and in summer (CEST).
    [
      'Sun 02:00-06:00 Europe/Berlin',
      '2026-12-05T12:00:00Z',
      '2026-12-06T01:00:00.000Z',
      '2026-12-06T05:00:00.000Z',
    ],
    [
      'Sun 02:00-06:00 Europe/Berlin',
      '2026-07-04T12:00:00Z',
      '2026-07-05T00:00:00.000Z',
      '2026-07-05T04:00:00.000Z',
    ],
    // Crossing midnight on the spring-forward night: 23:00 CET to 04:00 CEST is four hours.
    [
      'Sat 23:00-04:00 Europe/Berlin',
      '2026-03-28T12:00:00Z',
      '2026-03-28T22:00:00.000Z',
      '2026-03-29T02:00:00.000Z',
    ],
    // Crossing midnight on the fall-back night: 23:00 CEST to 04:00 CET is six hours.
    [
      'Sat 23:00-04:00 Europe/Berlin',
      '2026-10-24T12:00:00Z',
      '2026-10-24T21:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ],
    // A window wholly inside the skipped hour moves on by the gap: 03:10 to 03:50 CEST.
    [
      'Sun 02:10-02:50 Europe/Berlin',
      '2026-03-28T12:00:00Z',
      '2026-03-29T01:10:00.000Z',
      '2026-03-29T01:50:00.000Z',
    ],
    // Exactly the skipped hour: no time at all that night; the next Sunday's opens next.
    [
      'Sun 02:00-03:00 Europe/Berlin',
      '2026-03-28T12:00:00Z',
      '2026-04-05T00:00:00.000Z',
      '2026-04-05T01:00:00.000Z',
    ],
    // A window ending inside the repeated hour ends at its first (earlier) occurrence.
    [
      'Sun 01:00-02:30 Europe/Berlin',
      '2026-10-24T12:00:00Z',
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:30:00.000Z',
    ],
    // 24:00 is the next midnight; a zone with a half-hour offset.
    [
      'Fri 20:00-24:00 UTC',
      '2026-12-01T00:00:00Z',
      '2026-12-04T20:00:00.000Z',
      '2026-12-05T00:00:00.000Z',
    ],
    [
      'Sat 02:00-06:00 Asia/Kolkata',
      '2026-12-01T00:00:00Z',
      '2026-12-04T20:30:00.000Z',
      '2026-12-05T00:30:00.000Z',
    ],
  ])('%s after %s opens %s and closes %s', (text, from, start, end) => {
    const span = nextSpan([windowOf(text)], at(from));
    expect([iso(span?.start), iso(span?.end)]).toEqual([start, end]);
  });

  it('a window crossing midnight is open after midnight, and closed at its end (end exclusive)', () => {
    const w = [windowOf('Fri 22:00-02:00 UTC')];
    expect(iso(currentSpan(w, at('2026-12-05T01:30:00Z'))?.end)).toBe('2026-12-05T02:00:00.000Z');
    expect(iso(currentSpan(w, at('2026-12-04T22:00:00Z'))?.start)).toBe('2026-12-04T22:00:00.000Z');
    expect(currentSpan(w, at('2026-12-05T02:00:00Z'))).toBeUndefined();
    expect(currentSpan(w, at('2026-12-04T21:59:59Z'))).toBeUndefined();
    expect(iso(nextSpan(w, at('2026-12-05T02:00:00Z'))?.start)).toBe('2026-12-11T22:00:00.000Z');
  });

  it('several windows: the nearest opens next; touching or overlapping ones are one span', () => {
    const w = ['Sat 02:00-06:00 Europe/Berlin', 'Wed 20:00-22:00 Europe/Berlin'].map(windowOf);
    expect(iso(nextSpan(w, at('2026-12-05T12:00:00Z'))?.start)).toBe('2026-12-09T19:00:00.000Z');
    expect(iso(nextSpan(w, at('2026-12-09T22:00:00Z'))?.start)).toBe('2026-12-12T01:00:00.000Z');

    const touching = ['Sat 22:00-24:00 UTC', 'Sun 00:00-04:00 UTC', 'Sun 03:00-05:00 UTC'].map(
      windowOf,
    );
    const span = currentSpan(touching, at('2026-12-05T23:00:00Z'));
    expect([iso(span?.start), iso(span?.end)]).toEqual([
      '2026-12-05T22:00:00.000Z',
      '2026-12-06T05:00:00.000Z',
    ]);
    // Every day of a wrapping range, as one long span.
    const weekend = currentSpan([windowOf('Fri-Sun 00:00-24:00 UTC')], at('2026-12-05T12:00:00Z'));
    expect([iso(weekend?.start), iso(weekend?.end)]).toEqual([
      '2026-12-04T00:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
    ]);
  });

  it('work fits when it ends by the end, exactly at the end included', () => {
    const span = {
      start: at('2026-12-05T01:00:00Z'),
      end: at('2026-12-05T05:00:00Z'),
      zone: 'UTC',
    };
    expect(fitsBeforeEnd(span, at('2026-12-05T04:45:00Z'), 900)).toBe(true);
    expect(fitsBeforeEnd(span, at('2026-12-05T04:45:01Z'), 900)).toBe(false);
    expect(fitsBeforeEnd(span, at('2026-12-05T00:59:59Z'), 60)).toBe(false);
  });

  it('windowStatus says where an instant stands', () => {
    const policy = (outsideWindow: 'wait' | 'exit') => ({
      windows: [windowOf('Sat 02:00-06:00 Europe/Berlin')],
      outsideWindow,
    });
    expect(windowStatus(policy('exit'), at('2026-12-05T02:00:00Z'))).toBe(
      'inside the maintenance window 2026-12-05 02:00 Europe/Berlin (2026-12-05T01:00Z) to 2026-12-05 06:00 Europe/Berlin (2026-12-05T05:00Z)',
    );
    expect(windowStatus(policy('exit'), at('2026-12-05T05:00:00Z'))).toContain(
      'outside every maintenance window: a run would exit 3; next 2026-12-12 02:00 Europe/Berlin',
    );
    expect(windowStatus(policy('wait'), at('2026-12-05T05:00:00Z'))).toContain(
      'a run would wait for',
    );
  });
});
