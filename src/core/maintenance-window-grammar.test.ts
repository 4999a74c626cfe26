import { describe, expect, it } from 'vitest';
import { parseWindow } from './maintenance-window-grammar.js';
import type { MaintenanceWindow } from './maintenance-window-grammar.js';

const windowOf = (text: string): MaintenanceWindow => {
  const parsed = parseWindow(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.window;
};

describe('parseWindow', () => {
  it.each([
    ['Sat 02:00-06:00 Europe/Berlin', [6], 120, 360, 'Europe/Berlin'],
    ['mon-fri 22:00-04:00 UTC', [1, 2, 3, 4, 5], 1320, 240, 'UTC'],
    ['Fri-Mon 00:00-24:00 UTC', [5, 6, 0, 1], 0, 1440, 'UTC'],
    ['Sat,Sun 9:30-12:00 America/New_York', [6, 0], 570, 720, 'America/New_York'],
    ['Mon-Tue,Thu 01:00-02:00 UTC', [1, 2, 4], 60, 120, 'UTC'],
    ['daily 03:00-05:00 Asia/Kolkata', [0, 1, 2, 3, 4, 5, 6], 180, 300, 'Asia/Kolkata'],
  ])('%s', (text, days, start, end, zone) => {
    const w = windowOf(text);
    expect([...w.days].sort()).toEqual([...days].sort());
    expect([w.startMinute, w.endMinute, w.zone]).toEqual([start, end, zone]);
  });

  it.each([
    ['Sat 02:00-06:00 Europe/Berlinn', 'unknown time zone "Europe/Berlinn"'],
    ['Sat 02:00-06:00 CEST+1', 'unknown time zone'],
    ['Sa 02:00-06:00 UTC', '"Sa" is not a day'],
    ['Sat-Sun-Mon 02:00-06:00 UTC', 'is not a day or a range'],
    ['Sat 2-6 UTC', 'is not <days> <HH:MM>-<HH:MM> <time zone>'],
    ['Sat 02:00-06:00', 'is not <days>'],
    ['Sat 24:00-06:00 UTC', 'start 24:00 is not a time'],
    ['Sat 02:00-24:01 UTC', 'end 24:01 is not a time'],
    ['Sat 02:60-06:00 UTC', 'start 02:60'],
    ['Sat 02:00-02:00 UTC', 'the same time'],
    ['Sat 00:00-00:00 UTC', 'whole day is written 00:00-24:00'],
  ])('refuses %s', (text, problem) => {
    const parsed = parseWindow(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toContain(problem);
  });
});
