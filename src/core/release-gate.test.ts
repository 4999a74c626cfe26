import { describe, expect, it } from 'vitest';
import { checkRelease, latestPatchIn } from './release-gate.js';
import { versionOf } from './version.js';

const day = 24 * 3600 * 1000;
const now = Date.parse('2026-09-01T00:00:00Z');
const LIST = [
  { version: '1.10.8', publishedAt: now - 90 * day },
  { version: '1.10.9', publishedAt: now - 60 * day },
  { version: '1.11.5', publishedAt: now - 30 * day },
  { version: '1.11.6', publishedAt: now - 3 * day },
  { version: '1.12.0-beta.1', publishedAt: now - 1 * day },
];

describe('release gate', () => {
  it('passes the newest patch of its line once old enough', () => {
    expect(checkRelease(versionOf('1.10.9'), LIST, { minAgeDays: 7, now })).toBeUndefined();
    expect(checkRelease(versionOf('1.11.6'), LIST, { minAgeDays: 0, now })).toBeUndefined();
  });

  it('refuses an older patch, naming the newest', () => {
    expect(checkRelease(versionOf('1.11.5'), LIST, { minAgeDays: 0, now })).toEqual({
      code: 'RELEASE_NOT_LATEST_PATCH',
      reason: expect.stringContaining('target 1.11.6 instead'),
    });
  });

  it('refuses a release younger than the minimum age, saying when it will pass', () => {
    expect(checkRelease(versionOf('1.11.6'), LIST, { minAgeDays: 7, now })).toEqual({
      code: 'RELEASE_TOO_NEW',
      reason: expect.stringContaining('wait until 2026-09-05T00:00:00.000Z'),
    });
  });

  it('refuses a version the list does not know', () => {
    expect(checkRelease(versionOf('1.11.7'), LIST, { minAgeDays: 0, now })?.code).toBe(
      'RELEASE_UNKNOWN',
    );
  });

  it('knows the newest released patch of a line, ignoring pre-releases', () => {
    const latest = latestPatchIn(LIST);
    expect(latest({ major: 1, minor: 11 })).toBe('1.11.6');
    expect(latest({ major: 1, minor: 12 })).toBeUndefined();
  });
});
