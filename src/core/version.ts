/**
 * Versions as the router accepts them: `X.Y.Z`, a leading `v` tolerated and normalised away,
 * pre-releases only when the caller allows them. Anything looser (ranges, words, build
 * metadata, interpolations) is rejected so that a bad value never routes silently.
 */
import semver from 'semver';

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers (`1.11.0-beta.1` -> ['beta', 1]); empty for a release. */
  readonly prerelease: readonly (string | number)[];
  readonly isPrerelease: boolean;
  /** Normalised text without the leading `v`, e.g. `1.11.0` or `1.11.0-beta.1`. */
  readonly text: string;
}

export const VERSION_PROBLEMS = ['empty', 'not-a-version', 'prerelease'] as const;
export type VersionProblem = (typeof VERSION_PROBLEMS)[number];

export type ParsedVersion =
  | { readonly ok: true; readonly version: Version }
  | { readonly ok: false; readonly problem: VersionProblem; readonly message: string };

export interface ParseVersionOptions {
  allowPrerelease?: boolean;
}

// Strict shape first: semver.parse alone would also accept surrounding spaces, `=1.2.3` and `+build`.
const SHAPE = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

export function parseVersion(raw: string, options: ParseVersionOptions = {}): ParsedVersion {
  if (raw.trim() === '') return { ok: false, problem: 'empty', message: 'the value is empty' };
  const parsed = SHAPE.test(raw) ? semver.parse(raw.startsWith('v') ? raw.slice(1) : raw) : null;
  if (!parsed) {
    return {
      ok: false,
      problem: 'not-a-version',
      message: `${JSON.stringify(raw)} is not a version of the form X.Y.Z (a leading v is allowed)`,
    };
  }
  const version = fromSemver(parsed);
  if (version.isPrerelease && !options.allowPrerelease) {
    return {
      ok: false,
      problem: 'prerelease',
      message: `${JSON.stringify(raw)} is a pre-release; pass --allow-prerelease to route it`,
    };
  }
  return { ok: true, version };
}

/** Parses a version the caller knows is valid (compatibility data, tests); throws otherwise. */
export function versionOf(text: string): Version {
  const result = parseVersion(text, { allowPrerelease: true });
  if (!result.ok) throw new Error(`invalid version literal ${text}: ${result.message}`);
  return result.version;
}

export function compareVersions(a: Version, b: Version): number {
  return semver.compare(a.text, b.text);
}

/** `1.11` for 1.11.4: the Talos (or Kubernetes) minor line a version belongs to. */
export function lineOf(version: Pick<Version, 'major' | 'minor'>): string {
  return `${version.major}.${version.minor}`;
}

export function sameLine(a: Version, b: Version): boolean {
  return a.major === b.major && a.minor === b.minor;
}

function fromSemver(parsed: semver.SemVer): Version {
  return {
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: [...parsed.prerelease],
    isPrerelease: parsed.prerelease.length > 0,
    text: parsed.version,
  };
}
