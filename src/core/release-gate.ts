/**
 * The router's release gate (opt-in): a Talos target must be the newest patch of its line, and
 * must have been published at least N days ago, judged from a release list (a file the operator
 * keeps, e.g. from the GitHub releases of siderolabs/talos) beside the compatibility data. Pure:
 * `now` comes from the caller. A target the list does not know is refused too: the gate cannot
 * vouch for it.
 */
import type { MinorLine } from './compatibility.js';
import { compareVersions, lineOf, sameLine, versionOf, type Version } from './version.js';

export const RELEASE_GATE_CODES = [
  'RELEASE_UNKNOWN',
  'RELEASE_NOT_LATEST_PATCH',
  'RELEASE_TOO_NEW',
] as const;
export type ReleaseGateCode = (typeof RELEASE_GATE_CODES)[number];

export interface Release {
  readonly version: string;
  /** Milliseconds since the epoch. */
  readonly publishedAt: number;
}

export interface ReleaseGateOptions {
  /** Refuse a target published fewer than this many days before `now` (0: no age rule). */
  readonly minAgeDays: number;
  readonly now: number;
}

export interface ReleaseGateRefusal {
  readonly code: ReleaseGateCode;
  readonly reason: string;
}

const DAY_MS = 24 * 3600 * 1000;

/** Releases only (pre-releases are never "the newest patch"). */
function releasesOf(list: readonly Release[]): { version: Version; publishedAt: number }[] {
  return list
    .map((r) => ({ version: versionOf(r.version), publishedAt: r.publishedAt }))
    .filter((r) => !r.version.isPrerelease);
}

/** The newest released patch of `line` in the list (the hops of a multi-hop route land on it). */
export function latestPatchIn(list: readonly Release[]): (line: MinorLine) => string | undefined {
  const releases = releasesOf(list);
  return (line) =>
    releases
      .filter((r) => r.version.major === line.major && r.version.minor === line.minor)
      .sort((a, b) => compareVersions(b.version, a.version))[0]?.version.text;
}

export function checkRelease(
  target: Version,
  list: readonly Release[],
  options: ReleaseGateOptions,
): ReleaseGateRefusal | undefined {
  const releases = releasesOf(list);
  const found = releases.find((r) => compareVersions(r.version, target) === 0);
  if (!found)
    return {
      code: 'RELEASE_UNKNOWN',
      reason: `Talos ${target.text} is not in the release list: add it (with its publishedAt) once it is released, or target a listed release`,
    };
  const newest = releases
    .filter((r) => sameLine(r.version, target))
    .sort((a, b) => compareVersions(b.version, a.version))[0]!;
  if (compareVersions(newest.version, target) > 0)
    return {
      code: 'RELEASE_NOT_LATEST_PATCH',
      reason: `Talos ${target.text} is not the newest patch of ${lineOf(target)}: target ${newest.version.text} instead`,
    };
  const ageDays = (options.now - found.publishedAt) / DAY_MS;
  if (options.minAgeDays > 0 && ageDays < options.minAgeDays) {
    const ready = new Date(found.publishedAt + options.minAgeDays * DAY_MS).toISOString();
    return {
      code: 'RELEASE_TOO_NEW',
      reason: `Talos ${target.text} was published ${new Date(found.publishedAt).toISOString()}, ${Math.floor(ageDays)} day(s) ago, under the ${options.minAgeDays} days the gate asks: wait until ${ready} (or lower --min-release-age / releaseGate.minAgeDays)`,
    };
  }
  return undefined;
}
