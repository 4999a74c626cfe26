/**
 * The router's decision for one change of versions, pure: which Talos route (none, pets, cattle,
 * refused) and which Kubernetes route (none, kubernetes, refused), with stable refusal codes.
 */
import {
  TALOS_COMPATIBILITY,
  canMoveInOneHop,
  compareLines as compareLinesOf,
  kubernetesInRange,
  kubernetesOneHop,
  kubernetesPath,
  kubernetesRangeFor,
  talosLine,
  talosPath,
  type MinorLine,
  type TalosLineCompatibility,
} from './compatibility.js';
import { compareVersions, lineOf, sameLine, type Version } from './version.js';

export const TALOS_ROUTES = ['none', 'pets', 'cattle', 'refused'] as const;
export type TalosRoute = (typeof TALOS_ROUTES)[number];

export const KUBERNETES_ROUTES = ['none', 'kubernetes', 'refused'] as const;
export type KubernetesRoute = (typeof KUBERNETES_ROUTES)[number];

export const REFUSAL_CODES = [
  'DOWNGRADE',
  'DOWNGRADE_MULTI_HOP',
  'FORBIDDEN_HOP',
  'UNKNOWN_TARGET_LINE',
  'K8S_DOWNGRADE',
  'K8S_SKIPPED_MINOR',
  'K8S_OUT_OF_RANGE',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  readonly subject: 'talos' | 'kubernetes';
  readonly code: RefusalCode;
  readonly reason: string;
}

export interface RouteAllowances {
  allowDowngrade?: boolean;
  allowMultiHop?: boolean;
  allowUnknown?: boolean;
}

export interface RouteInput {
  /** Talos at base; null when the base has no variables file (first commit): nothing to route. */
  readonly oldTalos: Version | null;
  readonly newTalos: Version;
  /** Both null when Kubernetes is not tracked. */
  readonly oldKubernetes: Version | null;
  readonly newKubernetes: Version | null;
  readonly allow?: RouteAllowances;
  readonly table?: readonly TalosLineCompatibility[];
  /** Newest Talos patch per line when the caller knows more than the data (a release list). */
  readonly latestTalosPatch?: (line: MinorLine) => string | undefined;
}

export interface RouteDecision {
  readonly versionChanged: boolean;
  readonly oldVersion: string | null;
  readonly newVersion: string;
  readonly upgradeType: TalosRoute;
  readonly isDowngrade: boolean;
  /** Versions to install, in order, ending at the target; empty when nothing moves. */
  readonly hops: readonly string[];
  readonly kubernetesChanged: boolean;
  readonly oldKubernetesVersion: string | null;
  readonly newKubernetesVersion: string | null;
  readonly kubernetesUpgrade: KubernetesRoute;
  readonly kubernetesHops: readonly string[];
  /** The first refusal (Talos before Kubernetes), or null. */
  readonly code: RefusalCode | null;
  /** Why: the refusal's reason, or a one-line explanation of the route. */
  readonly reason: string;
  readonly refusals: readonly Refusal[];
}

interface TalosPart {
  route: TalosRoute;
  isDowngrade: boolean;
  hops: readonly string[];
  reason: string;
  refusal?: Refusal;
}

interface KubernetesPart {
  route: KubernetesRoute;
  hops: readonly string[];
  reason: string | null;
  refusal?: Refusal;
}

export function decideRoute(input: RouteInput): RouteDecision {
  const table = input.table ?? TALOS_COMPATIBILITY;
  const allow = input.allow ?? {};
  const talos = decideTalos(input.oldTalos, input.newTalos, allow, table, input.latestTalosPatch);
  const kubernetes =
    input.oldTalos === null
      ? { route: 'none' as const, hops: [], reason: null }
      : decideKubernetes(input, talos.route !== 'none', table);
  const refusals = [talos.refusal, kubernetes.refusal].filter((r): r is Refusal => !!r);
  const kubeChanged =
    input.oldTalos !== null &&
    input.oldKubernetes !== null &&
    input.newKubernetes !== null &&
    compareVersions(input.oldKubernetes, input.newKubernetes) !== 0;
  return {
    versionChanged: talos.route !== 'none' || talos.refusal !== undefined,
    oldVersion: input.oldTalos?.text ?? null,
    newVersion: input.newTalos.text,
    upgradeType: talos.route,
    isDowngrade: talos.isDowngrade,
    hops: talos.hops,
    kubernetesChanged: kubeChanged,
    oldKubernetesVersion: input.oldTalos === null ? null : (input.oldKubernetes?.text ?? null),
    newKubernetesVersion: input.newKubernetes?.text ?? null,
    kubernetesUpgrade: kubernetes.route,
    kubernetesHops: kubernetes.hops,
    code: refusals[0]?.code ?? null,
    reason: refusals[0]?.reason ?? [talos.reason, kubernetes.reason].filter(Boolean).join('; '),
    refusals,
  };
}

function decideTalos(
  from: Version | null,
  to: Version,
  allow: RouteAllowances,
  table: readonly TalosLineCompatibility[],
  latestKnownPatch?: (line: MinorLine) => string | undefined,
): TalosPart {
  if (from === null) {
    return {
      route: 'none',
      isDowngrade: false,
      hops: [],
      reason: `no Talos version at base (first commit, or newly declared): nothing to route, head is ${to.text}`,
    };
  }
  const order = compareVersions(from, to);
  if (order === 0) {
    return { route: 'none', isDowngrade: false, hops: [], reason: `Talos unchanged at ${to.text}` };
  }
  const change = `${from.text} -> ${to.text}`;
  const refuse = (code: RefusalCode, reason: string, hops: readonly string[] = []): TalosPart => ({
    route: 'refused',
    isDowngrade: order > 0,
    hops,
    reason,
    refusal: { subject: 'talos', code, reason },
  });

  const down = order > 0 ? downgradeRefusal(from, to, allow, table, latestKnownPatch) : undefined;
  if (down) return refuse(down.code, down.reason, down.hops);
  if (!talosLine(to, table)) {
    if (!allow.allowUnknown) {
      return refuse(
        'UNKNOWN_TARGET_LINE',
        `Talos ${change}: line ${lineOf(to)} is not in Drover's compatibility data (known: ${knownLines(table)}); pass --allow-unknown to route it anyway`,
      );
    }
    return routeWithin(from, to, [to.text], `${change} to a line the data does not know (allowed)`);
  }
  if (sameLine(from, to) || canMoveInOneHop(from, to, table)) {
    return routeWithin(from, to, [to.text], change);
  }
  const path = talosPath(from, to, {
    table,
    ...(latestKnownPatch ? { latestKnownPatch } : {}),
  });
  const shown = path ? path.join(' -> ') : 'none known';
  if (!path || !allow.allowMultiHop) {
    return refuse(
      'FORBIDDEN_HOP',
      `Talos ${change} is not supported in one hop (${lineOf(to)} ${order < 0 ? `needs a host at >= ${talosLine(to, table)?.minimumUpgradeFrom}` : `accepts hosts up to ${talosLine(to, table)?.maximumDowngradeFrom}`}); hops needed: ${from.text} -> ${shown}${path ? '; pass --allow-multi-hop to route them' : ''}`,
      path ?? [],
    );
  }
  // Up several lines (a downgrade with hops was refused above): in place, through the newest
  // patch of each line between (the path the Talos upgrade guide gives), never cattle: a cattle
  // run cannot build the templates of an intermediate hop, and a fresh node must not skip lines
  // either (core/refusals.ts, CATTLE_MULTI_HOP).
  return {
    route: 'pets',
    isDowngrade: false,
    hops: path,
    reason: `Talos line change ${change} in ${path.length} hops: ${path.join(' -> ')}: in place through each hop (pets)`,
  };
}

/**
 * A downgrade across several lines goes nowhere, whatever the flags: Drover downgrades by
 * rebuilding the nodes (cattle), which cannot go through intermediate hops (core/refusals.ts,
 * CATTLE_MULTI_HOP), and Talos takes a host down in place only to a line whose maximum
 * downgrade version it does not exceed (docs/router.md, How it decides). One hop down needs
 * --allow-downgrade.
 */
function downgradeRefusal(
  from: Version,
  to: Version,
  allow: RouteAllowances,
  table: readonly TalosLineCompatibility[],
  latestKnownPatch?: (line: MinorLine) => string | undefined,
): { code: RefusalCode; reason: string; hops: readonly string[] } | undefined {
  const change = `${from.text} -> ${to.text}`;
  const hops = downgradeHops(from, to, table, latestKnownPatch);
  if (hops) {
    return {
      code: 'DOWNGRADE_MULTI_HOP',
      reason: `Talos ${change} is a downgrade across several lines (hops: ${from.text} -> ${hops.join(' -> ')}): a downgrade rebuilds the nodes, which cannot go through intermediate hops; downgrade one line at a time`,
      hops,
    };
  }
  if (allow.allowDowngrade) return undefined;
  return {
    code: 'DOWNGRADE',
    reason: `Talos ${change} is a downgrade; pass --allow-downgrade to rebuild the nodes at the lower version`,
    hops: [],
  };
}

/** The hops of a downgrade that needs more than one (undefined: one hop, or no known path). */
function downgradeHops(
  from: Version,
  to: Version,
  table: readonly TalosLineCompatibility[],
  latestKnownPatch?: (line: MinorLine) => string | undefined,
): readonly string[] | undefined {
  if (!talosLine(to, table) || sameLine(from, to) || canMoveInOneHop(from, to, table))
    return undefined;
  const path = talosPath(from, to, { table, ...(latestKnownPatch ? { latestKnownPatch } : {}) });
  return path && path.length > 1 ? path : undefined;
}

function routeWithin(from: Version, to: Version, hops: readonly string[], what: string): TalosPart {
  const isDowngrade = compareVersions(from, to) > 0;
  if (sameLine(from, to) && !isDowngrade) {
    return { route: 'pets', isDowngrade, hops, reason: `Talos patch ${what}: in place (pets)` };
  }
  return {
    route: 'cattle',
    isDowngrade,
    hops,
    reason: `Talos ${isDowngrade ? 'downgrade' : 'line change'} ${what}: rebuild nodes (cattle)`,
  };
}

function decideKubernetes(
  input: RouteInput,
  talosMoves: boolean,
  table: readonly TalosLineCompatibility[],
): KubernetesPart {
  const { oldKubernetes: from, newKubernetes: to, newTalos } = input;
  if (from === null || to === null) return { route: 'none', hops: [], reason: null };
  const change = `${from.text} -> ${to.text}`;
  const refuse = (code: RefusalCode, reason: string, hops: readonly string[] = []) => ({
    route: 'refused' as const,
    hops,
    reason,
    refusal: { subject: 'kubernetes' as const, code, reason },
  });
  const order = compareVersions(from, to);
  if (order > 0) {
    return refuse(
      'K8S_DOWNGRADE',
      `Kubernetes ${change} is a downgrade, which talosctl upgrade-k8s does not support`,
    );
  }
  let hops: readonly string[] = [to.text];
  if (order < 0 && !kubernetesOneHop(from, to)) {
    const path = kubernetesPath(from, to);
    if (!path || !input.allow?.allowMultiHop)
      return refuse(
        'K8S_SKIPPED_MINOR',
        path
          ? `Kubernetes ${change} skips a minor; upgrade one minor at a time: ${from.text} -> ${path.join(' -> ')}; pass --allow-multi-hop to route them`
          : `Kubernetes ${change} changes the major version, which has no supported path`,
        path ?? [],
      );
    hops = path;
  }
  const range = kubernetesRangeFor(newTalos, table);
  if ((order < 0 || talosMoves) && range && !kubernetesInRange(to, range)) {
    return refuse(
      'K8S_OUT_OF_RANGE',
      `Kubernetes ${to.text} is outside Talos ${lineOf(newTalos)}'s supported range ${lineOf(range.min)}..${lineOf(range.max)}: ${
        compareLinesOf(to, range.min) < 0
          ? `upgrade Kubernetes to ${lineOf(range.min)} first`
          : `it is too new for Talos ${lineOf(newTalos)}`
      }`,
    );
  }
  if (order === 0) return { route: 'none', hops: [], reason: null };
  return {
    route: 'kubernetes',
    hops,
    reason: `Kubernetes ${change}${hops.length > 1 ? ` in ${hops.length} hops: ${hops.join(' -> ')}` : ''}: talosctl upgrade-k8s`,
  };
}

function knownLines(table: readonly TalosLineCompatibility[]): string {
  const lines: MinorLine[] = [...table];
  return `${lineOf(lines[0] ?? { major: 0, minor: 0 })}..${lineOf(lines[lines.length - 1] ?? { major: 0, minor: 0 })}`;
}
