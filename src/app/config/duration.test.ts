import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { duration, parseDurationSeconds } from './duration.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['300', 300],
    ['90s', 90],
    ['4m', 240],
    ['2h', 7200],
    ['1h30m', 5400],
    ['1h0m5s', 3605],
    ['5m30s', 330],
    ['0s', 0],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', 'm', '4 m', '4min', '1m1h', '1h1h', '1.5m', '-4m', 'PT4M', '4m ', '4ms', '1d'])(
    'refuses %j',
    (text) => {
      expect(parseDurationSeconds(text)).toBeUndefined();
    },
  );
});

describe('duration()', () => {
  const schema = z.strictObject({ wait: duration('A wait', 30).optional() });

  it('accepts whole seconds and duration texts, giving seconds', () => {
    expect(schema.parse({ wait: 45 })).toEqual({ wait: 45 });
    expect(schema.parse({ wait: '4m' })).toEqual({ wait: 240 });
    expect(schema.parse({ wait: '1h30m' })).toEqual({ wait: 5400 });
  });

  it.each([['4 minutes'], [1.5], [true], ['10s'], [10], ['0m']])(
    'refuses %j naming the accepted forms and the minimum',
    (value) => {
      const result = schema.safeParse({ wait: value });
      expect(result.success).toBe(false);
      const [issue] = result.error?.issues ?? [];
      expect(issue?.path).toEqual(['wait']);
      expect(issue?.message).toMatch(
        /whole seconds \(300\) or a duration such as 90s, 4m or 1h30m/,
      );
      expect(issue?.message).toMatch(/at least 30 s/);
    },
  );
});
