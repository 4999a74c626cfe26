/**
 * Talos <-> Talos and Talos <-> Kubernetes compatibility, as data (one entry per Talos minor line),
 * from Talos's published compatibility packages (docs/router.md, "How it decides").
 *
 * Granularity: Talos checks a host against a target line by the host's major.minor, so a host at
 * 1.8.9 is "1.8" here and cannot reach 1.11 (minimum 1.9.0) in one hop.
 *
 * "Latest known patch": a multi-hop path lands every intermediate hop on the newest patch of its
 * line that latest-patches.ts knows (`<line>.0` only for a line it does not), and the last hop on
 * the requested target. A caller that knows more (a release list) passes `latestKnownPatch`.
 */
import { latestKubernetesPatch, latestTalosPatch } from './latest-patches.js';
import { compareVersions, lineOf, versionOf, type Version } from './version.js';

export interface MinorLine {
  readonly major: number;
  readonly minor: number;
}

export interface TalosLineCompatibility extends MinorLine {
  /** Lowest host version that can be upgraded to this line in one hop. */
  readonly minimumUpgradeFrom: string;
  /** Highest host version that can be moved back to this line in one hop. */
  readonly maximumDowngradeFrom: string;
  /** Inclusive Kubernetes minor range this line supports (any patch). */
  readonly kubernetes: { readonly min: MinorLine; readonly max: MinorLine };
}

function entry(
  line: string,
  minimumUpgradeFrom: string,
  maximumDowngradeFrom: string,
  kubeMin: string,
  kubeMax: string,
): TalosLineCompatibility {
  return {
    ...parseLine(line),
    minimumUpgradeFrom,
    maximumDowngradeFrom,
    kubernetes: { min: parseLine(kubeMin), max: parseLine(kubeMax) },
  };
}

export const TALOS_COMPATIBILITY: readonly TalosLineCompatibility[] = [
  entry('1.2', '1.0.0', '1.3.0', '1.23', '1.25'),
  entry('1.3', '1.0.0', '1.5.0', '1.24', '1.26'),
  entry('1.4', '1.0.0', '1.6.0', '1.25', '1.27'),
  entry('1.5', '1.2.0', '1.7.0', '1.26', '1.28'),
  entry('1.6', '1.3.0', '1.8.0', '1.24', '1.29'),
  entry('1.7', '1.4.0', '1.9.0', '1.25', '1.30'),
  entry('1.8', '1.5.0', '1.10.0', '1.26', '1.31'),
  entry('1.9', '1.8.0', '1.11.0', '1.27', '1.32'),
  entry('1.10', '1.8.0', '1.12.0', '1.28', '1.33'),
  entry('1.11', '1.9.0', '1.13.0', '1.29', '1.34'),
  entry('1.12', '1.10.0', '1.14.0', '1.30', '1.35'),
  entry('1.13', '1.11.0', '1.15.0', '1.31', '1.36'),
  entry('1.14', '1.12.0', '1.16.0', '1.32', '1.37'),
  entry('1.15', '1.13.0', '1.17.0', '1.33', '1.38'),
];

export function parseLine(text: string): MinorLine {
  const match = /^(\d+)\.(\d+)$/.exec(text);
  if (!match) throw new Error(`invalid minor line literal ${text}`);
  return { major: Number(match[1]), minor: Number(match[2]) };
}

export function compareLines(a: MinorLine, b: MinorLine): number {
  return a.major - b.major || a.minor - b.minor;
}

export function talosLine(
  line: MinorLine,
  table: readonly TalosLineCompatibility[] = TALOS_COMPATIBILITY,
): TalosLineCompatibility | undefined {
  return table.find((e) => e.major === line.major && e.minor === line.minor);
}

/**
 * Whether a host running `host` can move to `target`'s line in one install: upward when the host
 * is at least the line's minimum, downward when it is at most the line's maximum downgrade source.
 * Unknown target lines answer false; callers decide what "unknown" means.
 */
export function canMoveInOneHop(
  host: MinorLine,
  target: MinorLine,
  table: readonly TalosLineCompatibility[] = TALOS_COMPATIBILITY,
): boolean {
  const data = talosLine(target, table);
  if (!data) return false;
  const order = compareLines(host, target);
  if (order === 0) return true;
  if (order < 0) return compareLines(host, versionOf(data.minimumUpgradeFrom)) >= 0;
  return compareLines(host, versionOf(data.maximumDowngradeFrom)) <= 0;
}

export interface PathOptions {
  table?: readonly TalosLineCompatibility[];
  /** The newest released patch of a line (default: latest-patches.ts); `<line>.0` otherwise. */
  latestKnownPatch?: (line: MinorLine) => string | undefined;
}

/**
 * Fewest hops from `from` to `to` through known lines between them (never overshooting), each
 * hop a version to install; the last hop is `to` itself. Among equally short paths the one that
 * moves furthest toward the target at each step wins. Returns undefined when no path exists.
 */
export function talosPath(
  from: Version,
  to: Version,
  options: PathOptions = {},
): readonly string[] | undefined {
  const table = options.table ?? TALOS_COMPATIBILITY;
  const upward = compareVersions(from, to) <= 0;
  const between = table
    .filter((e) => isBetween(e, from, to))
    .sort((a, b) => (upward ? compareLines(b, a) : compareLines(a, b)));
  if (compareLines(from, to) === 0) return [to.text];
  if (!talosLine(to, table)) return undefined;

  // Distance to the target for every candidate line, computed backwards from the target.
  const distance = new Map<string, number>([[lineOf(to), 0]]);
  let frontier: MinorLine[] = [to];
  while (frontier.length > 0) {
    const next: MinorLine[] = [];
    for (const line of between) {
      if (distance.has(lineOf(line))) continue;
      const reached = frontier.find((f) => canMoveInOneHop(line, f, table));
      if (reached) {
        distance.set(lineOf(line), (distance.get(lineOf(reached)) ?? 0) + 1);
        next.push(line);
      }
    }
    frontier = next;
  }

  const hops: string[] = [];
  let current: MinorLine = from;
  for (;;) {
    if (canMoveInOneHop(current, to, table)) return [...hops, to.text];
    const reachable = between.filter(
      (line) => distance.has(lineOf(line)) && canMoveInOneHop(current, line, table),
    );
    const fewest = Math.min(...reachable.map((line) => distance.get(lineOf(line)) ?? Infinity));
    // `between` is ordered furthest-toward-the-target first.
    const best = reachable.find((line) => distance.get(lineOf(line)) === fewest);
    if (!best) return undefined;
    const latest = options.latestKnownPatch ?? latestTalosPatch;
    hops.push(latest(best) ?? `${lineOf(best)}.0`);
    current = best;
  }
}

function isBetween(line: MinorLine, from: MinorLine, to: MinorLine): boolean {
  const [low, high] = compareLines(from, to) <= 0 ? [from, to] : [to, from];
  return compareLines(line, low) > 0 && compareLines(line, high) < 0;
}

/** The Kubernetes range of a Talos line, or undefined for a line the data does not know. */
export function kubernetesRangeFor(
  talos: MinorLine,
  table: readonly TalosLineCompatibility[] = TALOS_COMPATIBILITY,
): { min: MinorLine; max: MinorLine } | undefined {
  return talosLine(talos, table)?.kubernetes;
}

export function kubernetesInRange(
  kubernetes: MinorLine,
  range: { min: MinorLine; max: MinorLine },
): boolean {
  return compareLines(kubernetes, range.min) >= 0 && compareLines(kubernetes, range.max) <= 0;
}

/** talosctl upgrade-k8s moves within a minor or exactly one minor up, never down. */
export function kubernetesOneHop(from: Version, to: Version): boolean {
  if (compareVersions(from, to) > 0) return false;
  if (from.major !== to.major) return false;
  return to.minor - from.minor <= 1;
}

/**
 * Consecutive Kubernetes hops from `from` to `to`, one minor each; an intermediate minor lands on
 * its newest known patch (latest-patches.ts, or the caller's lookup), `<minor>.0` if unknown.
 */
export function kubernetesPath(
  from: Version,
  to: Version,
  latestKnownPatch: (line: MinorLine) => string | undefined = latestKubernetesPatch,
): readonly string[] | undefined {
  if (compareVersions(from, to) > 0 || from.major !== to.major) return undefined;
  const hops: string[] = [];
  for (let minor = from.minor + 1; minor < to.minor; minor += 1)
    hops.push(latestKnownPatch({ major: to.major, minor }) ?? `${to.major}.${minor}.0`);
  if (compareVersions(from, to) !== 0) hops.push(to.text);
  return hops;
}

export function lineOfEntry(line: MinorLine): string {
  return lineOf(line);
}
