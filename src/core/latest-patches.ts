/**
 * The newest patch of each minor line that Drover's data knows, for Talos and for Kubernetes.
 * A multi-hop route lands every intermediate hop on it (a line's .0 lacks the fixes its later
 * patches carry, upgrade fixes among them); the last hop is always the version asked for.
 *
 * Sources (read from the git history, not guessed):
 * - Talos: the newest `vX.Y.Z` release tag of each line in siderolabs/talos (snapshot of
 *   2026-08-21: v1.13.9 of 2026-08-18 the newest; 1.14 has only pre-releases, 1.15 none).
 * - Kubernetes: the final patch of each line that has reached end of life (1.23..1.30), and for
 *   the newer lines the newest `DefaultKubernetesVersion` that a Talos release shipped
 *   (siderolabs/talos pkg/machinery/constants/constants.go across the tags up to v1.13.9).
 * A line missing here falls back to `<line>.0`. A release list (`drover route --release-list`)
 * knows more and overrides this data: see core/release-gate.ts (latestPatchIn).
 */
import type { MinorLine } from './compatibility.js';

const TALOS_LATEST: Readonly<Record<string, string>> = {
  '1.2': '1.2.9',
  '1.3': '1.3.7',
  '1.4': '1.4.8',
  '1.5': '1.5.6',
  '1.6': '1.6.8',
  '1.7': '1.7.7',
  '1.8': '1.8.4',
  '1.9': '1.9.6',
  '1.10': '1.10.9',
  '1.11': '1.11.6',
  '1.12': '1.12.11',
  '1.13': '1.13.9',
};

const KUBERNETES_LATEST: Readonly<Record<string, string>> = {
  '1.23': '1.23.17',
  '1.24': '1.24.17',
  '1.25': '1.25.16',
  '1.26': '1.26.15',
  '1.27': '1.27.16',
  '1.28': '1.28.15',
  '1.29': '1.29.15',
  '1.30': '1.30.14',
  '1.31': '1.31.4',
  '1.32': '1.32.4',
  '1.33': '1.33.6',
  '1.34': '1.34.1',
  '1.35': '1.35.4',
  '1.36': '1.36.3',
};

export type PatchLookup = (line: MinorLine) => string | undefined;

const key = (line: MinorLine) => `${line.major}.${line.minor}`;

export const latestTalosPatch: PatchLookup = (line) => TALOS_LATEST[key(line)];
export const latestKubernetesPatch: PatchLookup = (line) => KUBERNETES_LATEST[key(line)];

/** The first lookup that knows the line wins (a release list before the built-in data). */
export function firstKnown(...lookups: (PatchLookup | undefined)[]): PatchLookup {
  return (line) => {
    for (const lookup of lookups) {
      const found = lookup?.(line);
      if (found !== undefined) return found;
    }
    return undefined;
  };
}
