import { describe, expect, it } from 'vitest';
import { compareVersions, lineOf, parseVersion, versionOf } from './version.js';

describe('parseVersion', () => {
  it.each([
    ['1.10.8', '1.10.8'],
    ['v1.10.8', '1.10.8'],
    ['0.0.0', '0.0.0'],
    ['v1.34.1', '1.34.1'],
  ])('accepts %s as %s', (raw, text) => {
    const result = parseVersion(raw);
    expect(result.ok && result.version.text).toBe(text);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['latest', 'not-a-version'],
    ['1.10', 'not-a-version'],
    ['1.10.8.1', 'not-a-version'],
    [' 1.10.8', 'not-a-version'],
    ['=1.10.8', 'not-a-version'],
    ['V1.10.8', 'not-a-version'],
    ['vv1.10.8', 'not-a-version'],
    ['1.10.8+build.1', 'not-a-version'],
    ['01.10.8', 'not-a-version'],
    ['${var.x}', 'not-a-version'],
    ['~1.10.8', 'not-a-version'],
    ['1.11.0-beta.1', 'prerelease'],
  ] as const)('rejects %j (%s)', (raw, problem) => {
    const result = parseVersion(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toBe(problem);
      if (problem !== 'empty') expect(result.message).toContain(JSON.stringify(raw));
    }
  });

  it('accepts a pre-release when allowed and orders it before the release', () => {
    const result = parseVersion('v1.11.0-beta.1', { allowPrerelease: true });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.version.isPrerelease).toBe(true);
    expect(result.version.prerelease).toEqual(['beta', 1]);
    expect(compareVersions(result.version, versionOf('1.11.0'))).toBeLessThan(0);
  });

  it('names the line and compares numerically, not as text', () => {
    expect(lineOf(versionOf('1.10.8'))).toBe('1.10');
    expect(compareVersions(versionOf('1.9.9'), versionOf('1.10.0'))).toBeLessThan(0);
    expect(() => versionOf('nope')).toThrow(/invalid version literal/);
  });
});
