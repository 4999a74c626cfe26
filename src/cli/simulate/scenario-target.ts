/**
 * What a simulate run upgrades: the scenario's versions, with `--kind` and `--to` applied, refused
 * the way `route` and `plan` refuse them (exit 3, the router's codes) unless the scenario says it
 * means to (`upgrade.allowDowngrade`).
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
import { kubernetesInRange, kubernetesRangeFor } from '../../core/compatibility.js';
import { DroverError } from '../../core/errors.js';
import type { UpgradeKind } from '../../core/plan.js';
import { decideRoute } from '../../core/route.js';
import { lineOf, parseVersion, sameLine, versionOf, type Version } from '../../core/version.js';

export interface SimulateTarget {
  kind?: UpgradeKind;
  to?: string;
}

function target(field: string, text: string): Version {
  const parsed = parseVersion(text);
  if (parsed.ok) return parsed.version;
  throw new DroverError('usage', 'VERSION_INVALID', `${field}: ${parsed.message}`, {
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

/** The scenario as this run upgrades it (its kind and versions), after the route check. */
export function targetScenario(scenario: Scenario, wanted: SimulateTarget): Scenario {
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
  checkRoute(result);
  return result;
}

function refused(code: string, reason: string, details: Record<string, unknown>): DroverError {
  return new DroverError('refused', code, reason, {
    hint: 'Pick versions the compatibility data allows (drover route explains why), or set upgrade.allowDowngrade in the scenario if a downgrade is meant.',
    details,
  });
}

/** The same refusals as `drover route` / `drover plan`, on the scenario's versions. */
export function checkRoute(scenario: Scenario): void {
  const { kind, talos, kubernetes } = scenario.upgrade;
  const allowDowngrade = scenario.upgrade.allowDowngrade === true;
  if (kind === 'kubernetes') {
    const running = versionOf(talos.from);
    const from = versionOf(kubernetes.from);
    const to = versionOf(kubernetes.to ?? kubernetes.from);
    const decision = decideRoute({
      oldTalos: running,
      newTalos: running,
      oldKubernetes: from,
      newKubernetes: to,
      allow: { allowDowngrade },
    });
    const refusal = decision.refusals[0];
    if (refusal) throw refused(refusal.code, refusal.reason, { from: from.text, to: to.text });
    const range = kubernetesRangeFor(running);
    if (range && !kubernetesInRange(to, range))
      throw refused(
        'K8S_OUT_OF_RANGE',
        `Kubernetes ${to.text} is outside Talos ${lineOf(running)}'s supported range ${lineOf(range.min)}..${lineOf(range.max)}`,
        { talos: running.text, to: to.text },
      );
    return;
  }
  const kube = versionOf(kubernetes.from);
  const decision = decideRoute({
    oldTalos: versionOf(talos.from),
    newTalos: versionOf(talos.to),
    oldKubernetes: kube,
    newKubernetes: kube,
    // No multi-hop: the simulated cluster installs one target (route refuses it the same way).
    allow: { allowDowngrade },
  });
  const refusal = decision.refusals[0];
  if (refusal)
    throw refused(refusal.code, refusal.reason, {
      from: talos.from,
      to: talos.to,
      hops: [...decision.hops],
    });
}
