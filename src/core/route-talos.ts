/**
 * The Talos half of the router's decision, pure: none, pets (a patch, or up several lines in
 * place), cattle (a line change or an allowed downgrade) or refused, with the hops to install.
 */
import {
  canMoveInOneHop,
  talosLine,
  talosPath,
  type MinorLine,
  type TalosLineCompatibility,
} from './compatibility.js';
import type { Refusal, RefusalCode, RouteAllowances, TalosRoute } from './route.js';
import { compareVersions, lineOf, sameLine, type Version } from './version.js';

export interface TalosPart {
  route: TalosRoute;
  isDowngrade: boolean;
  hops: readonly string[];
  reason: string;
  refusal?: Refusal;
}

type LatestKnownPatch = (line: MinorLine) => string | undefined;

export function decideTalos(
  from: Version | null,
  to: Version,
  allow: RouteAllowances,
  table: readonly TalosLineCompatibility[],
  latestKnownPatch?: LatestKnownPatch,
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
  const down = order > 0 ? downgradeRefusal(from, to, allow, table, latestKnownPatch) : undefined;
  if (down) return refuseTalos(down.code, down.reason, order > 0, down.hops);
  if (!talosLine(to, table)) {
    if (!allow.allowUnknown) {
      return refuseTalos(
        'UNKNOWN_TARGET_LINE',
        `Talos ${change}: line ${lineOf(to)} is not in Drover's compatibility data (known: ${knownLines(table)}); pass --allow-unknown to route it anyway`,
        order > 0,
      );
    }
    return routeWithin(from, to, [to.text], `${change} to a line the data does not know (allowed)`);
  }
  if (sameLine(from, to) || canMoveInOneHop(from, to, table)) {
    return routeWithin(from, to, [to.text], change);
  }
  return routeAcrossLines(from, to, allow, table, latestKnownPatch);
}

function refuseTalos(
  code: RefusalCode,
  reason: string,
  isDowngrade: boolean,
  hops: readonly string[] = [],
): TalosPart {
  return {
    route: 'refused',
    isDowngrade,
    hops,
    reason,
    refusal: { subject: 'talos', code, reason },
  };
}

/** A known target line that one hop does not reach: the hops, in place, only when allowed. */
function routeAcrossLines(
  from: Version,
  to: Version,
  allow: RouteAllowances,
  table: readonly TalosLineCompatibility[],
  latestKnownPatch?: LatestKnownPatch,
): TalosPart {
  const change = `${from.text} -> ${to.text}`;
  const order = compareVersions(from, to);
  const path = talosPath(from, to, {
    table,
    ...(latestKnownPatch ? { latestKnownPatch } : {}),
  });
  const shown = path ? path.join(' -> ') : 'none known';
  if (!path || !allow.allowMultiHop) {
    return refuseTalos(
      'FORBIDDEN_HOP',
      `Talos ${change} is not supported in one hop (${lineOf(to)} ${order < 0 ? `needs a host at >= ${talosLine(to, table)?.minimumUpgradeFrom}` : `accepts hosts up to ${talosLine(to, table)?.maximumDowngradeFrom}`}); hops needed: ${from.text} -> ${shown}${path ? '; pass --allow-multi-hop to route them' : ''}`,
      order > 0,
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
  latestKnownPatch?: LatestKnownPatch,
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
  latestKnownPatch?: LatestKnownPatch,
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

function knownLines(table: readonly TalosLineCompatibility[]): string {
  const lines: MinorLine[] = [...table];
  return `${lineOf(lines[0] ?? { major: 0, minor: 0 })}..${lineOf(lines[lines.length - 1] ?? { major: 0, minor: 0 })}`;
}
