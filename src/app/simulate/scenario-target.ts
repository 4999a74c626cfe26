/**
 * What a simulate run upgrades: the scenario's versions, with `--kind` and `--to` applied, refused
 * the way `route`, `plan` and `upgrade` refuse them (core/refusals.ts: exit 3, the router's codes)
 * unless the same --allow-* flag is given (or the scenario's `upgrade.allowDowngrade`).
 *
 * `--kind` on a scenario of another kind does a real upgrade of that kind, not a no-op:
 * - pets: Talos from `talos.from` to the scenario's target if on the same minor line, else to
 *   the next patch (1.10.8 -> 1.10.9);
 * - kubernetes: on the cluster as the scenario's Talos upgrade leaves it (`talos.to`), from
 *   `kubernetes.from` to the next minor (1.33.5 -> 1.34.0), which that Talos line must support;
 * - cattle: the scenario's Talos target.
 * `--to VERSION` picks the target of the kind instead (validated like `plan --to`).
 */
import type { Scenario } from '../../adapters/simulated/index.js';
import { DroverError } from '../../core/errors.js';
import type { UpgradeKind } from '../../core/plan.js';
import { checkUpgrade } from '../../core/refusals.js';
import type { ReleaseGate, UpgradeRoute } from '../../core/refusals.js';
import type { RouteAllowances } from '../../core/route.js';
import { parseVersion, sameLine, versionOf, type Version } from '../../core/version.js';

export interface SimulateTarget {
  kind?: UpgradeKind;
  to?: string;
  allow?: RouteAllowances;
  /** --release-list / --min-release-age, judged at the scenario's start (virtual time). */
  releaseGate?: ReleaseGate;
}

function target(field: string, text: string): Version {
  const parsed = parseVersion(text);
  if (parsed.ok) return parsed.version;
  throw new DroverError('input', 'VERSION_INVALID', `${field}: ${parsed.message}`, {
    hint: 'Give a release version such as 1.11.0.',
  });
}

function nextPatch(v: string): string {
  const x = versionOf(v);
  return `${x.major}.${x.minor}.${x.patch + 1}`;
}

function nextMinor(v: string): string {
  const x = versionOf(v);
  return `${x.major}.${x.minor + 1}.0`;
}

/** The scenario as this run upgrades it (its kind and versions), and its checked route. */
export function targetScenario(
  scenario: Scenario,
  wanted: SimulateTarget,
): { scenario: Scenario; route: UpgradeRoute } {
  const kind = wanted.kind ?? scenario.upgrade.kind;
  const { talos, kubernetes } = scenario.upgrade;
  const override = kind !== scenario.upgrade.kind;
  const upgrade = structuredClone(scenario.upgrade);
  upgrade.kind = kind;
  if (kind === 'kubernetes') {
    const runs = override ? talos.to : talos.from;
    upgrade.talos = { from: runs, to: runs };
    const to =
      wanted.to ?? (override || !kubernetes.to ? nextMinor(kubernetes.from) : kubernetes.to);
    upgrade.kubernetes = { from: kubernetes.from, to: target('--to', to).text };
  } else {
    // Pets stay within a minor line: the scenario's target if it is on the same line.
    const samePatchLine = sameLine(versionOf(talos.from), versionOf(talos.to));
    const to =
      wanted.to ??
      (override && kind === 'pets' && !samePatchLine ? nextPatch(talos.from) : talos.to);
    upgrade.talos = { from: talos.from, to: target('--to', to).text };
  }
  const result = { ...scenario, upgrade };
  return { scenario: result, route: checkRoute(result, wanted.allow, wanted.releaseGate) };
}

/**
 * The same refusals as `drover route` / `plan` / `upgrade` (core/refusals.ts), on the scenario's
 * versions, with the command's --allow-* flags (a scenario's `upgrade.allowDowngrade` counts as
 * --allow-downgrade). Returns the route: its hops are the plan's.
 */
export function checkRoute(
  scenario: Scenario,
  allow: RouteAllowances = {},
  releaseGate?: ReleaseGate,
): UpgradeRoute {
  const gate = releaseGate ? { releaseGate } : {};
  const { kind, talos, kubernetes } = scenario.upgrade;
  const allowances: RouteAllowances = {
    ...allow,
    allowDowngrade: allow.allowDowngrade === true || scenario.upgrade.allowDowngrade === true,
  };
  const kube = versionOf(kubernetes.from);
  if (kind === 'kubernetes') {
    const running = versionOf(talos.from);
    return checkUpgrade(
      {
        kind,
        talos: { from: running, to: running },
        kubernetes: { from: kube, to: versionOf(kubernetes.to ?? kubernetes.from) },
        allow: allowances,
        ...gate,
      },
      'simulate',
    );
  }
  return checkUpgrade(
    {
      kind,
      talos: { from: versionOf(talos.from), to: versionOf(talos.to) },
      kubernetes: { from: kube, to: kube },
      allow: allowances,
      ...gate,
    },
    'simulate',
  );
}
