import { describe, expect, it } from 'vitest';
import {
  TALOS_COMPATIBILITY,
  canMoveInOneHop,
  kubernetesInRange,
  kubernetesPath,
  kubernetesRangeFor,
  lineOfEntry,
  parseLine,
  talosPath,
} from './compatibility.js';
import { versionOf } from './version.js';

describe('compatibility data', () => {
  it('has one entry per Talos minor 1.2..1.15, in order', () => {
    expect(TALOS_COMPATIBILITY.map(lineOfEntry)).toEqual(
      Array.from({ length: 14 }, (_, i) => `1.${i + 2}`),
    );
  });

  it.each([
    ['1.8', '1.11', false],
    ['1.9', '1.11', true],
    ['1.10', '1.11', true],
    ['1.4', '1.6', true],
    ['1.2', '1.6', false],
    ['1.7', '1.9', false],
    ['1.14', '1.12', true],
    ['1.15', '1.12', false],
    ['1.11', '1.11', true],
    ['1.11', '1.16', false],
  ])('host %s -> line %s in one hop: %s', (host, target, expected) => {
    expect(canMoveInOneHop(parseLine(host), parseLine(target))).toBe(expected);
  });

  it.each([
    ['1.8.3', '1.11.0', ['1.10.9', '1.11.0']],
    ['1.10.8', '1.11.0', ['1.11.0']],
    // 1.14 has no release in the data yet: its .0
    ['1.2.0', '1.15.1', ['1.5.6', '1.8.4', '1.10.9', '1.12.11', '1.14.0', '1.15.1']],
    ['1.15.2', '1.10.1', ['1.13.9', '1.11.6', '1.10.1']],
    ['1.11.4', '1.11.5', ['1.11.5']],
  ] as const)('fewest hops %s -> %s', (from, to, hops) => {
    expect(talosPath(versionOf(from), versionOf(to))).toEqual(hops);
  });

  it('lands intermediate hops on the latest known patch when the caller knows it', () => {
    const latest = (line: { major: number; minor: number }) =>
      line.minor === 10 ? '1.10.8' : undefined;
    expect(
      talosPath(versionOf('1.8.3'), versionOf('1.11.2'), { latestKnownPatch: latest }),
    ).toEqual(['1.10.8', '1.11.2']);
  });

  it('has no path to a line it does not know', () => {
    expect(talosPath(versionOf('1.15.0'), versionOf('1.16.0'))).toBeUndefined();
  });

  it('knows each line’s Kubernetes range and the one-minor rule', () => {
    const range = kubernetesRangeFor(parseLine('1.11'));
    expect(range).toEqual({ min: parseLine('1.29'), max: parseLine('1.34') });
    expect(kubernetesInRange(parseLine('1.34'), range!)).toBe(true);
    expect(kubernetesInRange(parseLine('1.35'), range!)).toBe(false);
    expect(kubernetesRangeFor(parseLine('1.16'))).toBeUndefined();
    // Intermediate minors on their latest known patch (latest-patches.ts), not .0.
    expect(kubernetesPath(versionOf('1.32.3'), versionOf('1.35.1'))).toEqual([
      '1.33.6',
      '1.34.1',
      '1.35.1',
    ]);
    expect(kubernetesPath(versionOf('1.33.1'), versionOf('1.32.0'))).toBeUndefined();
  });
});
