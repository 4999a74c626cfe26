import { describe, expect, it } from 'vitest';
import { describeInstant, instantOf, isTimeZone, wallTimeAt } from './zoned-time.js';

const iso = (ms: number) => new Date(ms).toISOString();
const wall = (y: number, mo: number, d: number, h: number, mi: number) => ({
  year: y,
  month: mo,
  day: d,
  hour: h,
  minute: mi,
});

describe('zoned time (the tz database through Intl)', () => {
  it.each([
    // Europe/Berlin: CET in winter, CEST in summer.
    ['Europe/Berlin', wall(2026, 12, 5, 6, 0), '2026-12-05T05:00:00.000Z'],
    ['Europe/Berlin', wall(2026, 7, 4, 6, 0), '2026-07-04T04:00:00.000Z'],
    // The skipped hour of 29 March moves on by the gap; the repeated hour of 25 October is the earlier.
    ['Europe/Berlin', wall(2026, 3, 29, 2, 30), '2026-03-29T01:30:00.000Z'],
    ['Europe/Berlin', wall(2026, 10, 25, 2, 30), '2026-10-25T00:30:00.000Z'],
    // America/New_York goes forward on 8 March 2026 at 02:00 and back on 1 November.
    ['America/New_York', wall(2026, 3, 8, 2, 30), '2026-03-08T07:30:00.000Z'],
    ['America/New_York', wall(2026, 11, 1, 1, 30), '2026-11-01T05:30:00.000Z'],
    // A half-hour DST shift: Lord Howe goes from +10:30 to +11 on 4 October 2026 at 02:00.
    ['Australia/Lord_Howe', wall(2026, 10, 4, 2, 15), '2026-10-03T15:45:00.000Z'],
    ['UTC', wall(2026, 1, 1, 0, 0), '2026-01-01T00:00:00.000Z'],
  ])('%s %j is %s', (zone, local, expected) => {
    expect(iso(instantOf(zone, local))).toBe(expected);
  });

  it('reads the wall time back, and knows which zones exist', () => {
    expect(wallTimeAt('Europe/Berlin', Date.parse('2026-12-05T05:00:00Z'))).toEqual(
      wall(2026, 12, 5, 6, 0),
    );
    expect(describeInstant(Date.parse('2026-12-05T05:00:00Z'), 'Europe/Berlin')).toBe(
      '2026-12-05 06:00 Europe/Berlin (2026-12-05T05:00Z)',
    );
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Europe/Berlinn')).toBe(false);
  });
});
