/**
 * The plan for one upgrade, from the config alone (no cluster): the current versions come from
 * the command line or, by default, from the config's `versions` section; the route is checked
 * by core's one set of refusals (refusals.ts) first, so a refused route never prints a plan.
 */
import { DroverError } from '../../core/errors.js';
import type { Plan, UpgradeKind } from '../../core/plan.js';
import { buildPlan } from '../../core/plan-build.js';
import type { PlanInput } from '../../core/plan-build.js';
import { checkUpgrade } from '../../core/refusals.js';
import type { RefusingCommand, ReleaseGate, UpgradeRoute } from '../../core/refusals.js';
import type { RouteAllowances, RouteDecision } from '../../core/route.js';
import { parseVersion } from '../../core/version.js';
import type { Version } from '../../core/version.js';
import type { LoadedConfig } from '../config/load-config.js';

export interface PlanVersions {
  to: string;
  /** Current version of what is upgraded (Talos, or Kubernetes for kind kubernetes). */
  from?: string;
  /** Current Kubernetes version (Talos kinds): checked against the target line, verified on kubelets. */
  kubernetesFrom?: string;
  /** --allow-downgrade, --allow-multi-hop, --allow-unknown of the asking command. */
  allow?: RouteAllowances;
  /** The command asking, named in a refusal's hint (default plan). */
  command?: RefusingCommand;
  /** The release gate (config releaseGate, flags over it): cli/config/release-gate-config.ts. */
  releaseGate?: ReleaseGate;
}

export interface PlanResult {
  plan: Plan;
  /** Things the operator should know that do not stop the plan. */
  notes: string[];
}

/** What both kinds of plan share: the target, the flags, the config's checks. */
interface PlanContext {
  loaded: LoadedConfig;
  v: PlanVersions;
  to: Version;
  allow: RouteAllowances;
  command: RefusingCommand;
  customChecks: string[];
}

export function planFromConfig(
  loaded: LoadedConfig,
  kind: UpgradeKind,
  v: PlanVersions,
): PlanResult {
  const customChecks = loaded.customGates.map((g) => g.name);
  const to = version('--to', v.to);
  const allow = v.allow ?? {};
  const command = v.command ?? 'plan';
  const context: PlanContext = { loaded, v, to, allow, command, customChecks };
  return kind === 'kubernetes' ? kubernetesPlan(context) : talosPlan(kind, context);
}

function kubernetesPlan(context: PlanContext): PlanResult {
  const { loaded, v, to, customChecks } = context;
  const { config, inventory, policy } = loaded;
  const from = version(
    '--from',
    v.from ?? required('--from', 'versions.kubernetes', config.versions.kubernetes),
  );
  const talos = version(
    'versions.talos',
    required('versions.talos', 'versions.talos', config.versions.talos),
  );
  const route = checkRoute(context, 'kubernetes', { from: talos, to: talos }, { from, to });
  const input: PlanInput = {
    inventory,
    policy,
    from: talos.text,
    to: talos.text,
    kubernetes: { from: from.text, to: to.text },
    customChecks,
    ...(route.hops.length > 0 ? { hops: route.hops } : {}),
  };
  return { plan: buildPlan('kubernetes', input), notes: [] };
}

function talosPlan(kind: Exclude<UpgradeKind, 'kubernetes'>, context: PlanContext): PlanResult {
  const { loaded, v, to, customChecks } = context;
  const { config, inventory, policy } = loaded;
  const from = version(
    '--from',
    v.from ?? required('--from', 'versions.talos', config.versions.talos),
  );
  const kubeText = v.kubernetesFrom ?? config.versions.kubernetes;
  const kube =
    kubeText === undefined
      ? null
      : version(v.kubernetesFrom ? '--kubernetes-from' : 'versions.kubernetes', kubeText);
  const { decision } = checkRoute(
    context,
    kind,
    { from, to },
    kube === null ? null : { from: kube, to: kube },
  );
  const input: PlanInput = {
    inventory,
    policy,
    from: from.text,
    to: to.text,
    customChecks,
    ...(decision.hops.length > 0 ? { hops: [...decision.hops] } : {}),
    ...(kube === null ? {} : { kubernetes: { from: kube.text, to: kube.text } }),
  };
  return {
    plan: buildPlan(kind, input),
    notes: talosPlanNotes(kind, decision, `${from.text} -> ${to.text}`, kube === null),
  };
}

/** The one set of refusals (core/refusals.ts), asked as the command that plans. */
function checkRoute(
  { v, allow, command }: PlanContext,
  kind: UpgradeKind,
  talos: { from: Version; to: Version },
  kubernetes: { from: Version; to: Version } | null,
): UpgradeRoute {
  return checkUpgrade(
    {
      kind,
      talos,
      kubernetes,
      allow,
      ...(v.releaseGate ? { releaseGate: v.releaseGate } : {}),
    },
    command,
  );
}

/** Things that do not stop a Talos plan: a route other than asked, no Kubernetes version. */
function talosPlanNotes(
  kind: UpgradeKind,
  decision: RouteDecision,
  change: string,
  kubernetesUnknown: boolean,
): string[] {
  const notes: string[] = [];
  if (decision.upgradeType === 'none')
    notes.push(
      `Talos is already at ${decision.newVersion}: the plan re-runs every node at the same version.`,
    );
  else if (decision.upgradeType !== kind)
    notes.push(
      `The router would choose ${decision.upgradeType} for ${change}; planning ${kind} as asked.`,
    );
  if (kubernetesUnknown)
    notes.push(
      "No Kubernetes version known (versions.kubernetes or --kubernetes-from): kubelet versions are not verified and the target line's Kubernetes range is not checked.",
    );
  return notes;
}

function version(field: string, text: string): Version {
  const parsed = parseVersion(text);
  if (parsed.ok) return parsed.version;
  throw new DroverError('input', 'VERSION_INVALID', `${field}: ${parsed.message}`, {
    hint: 'Give a full version such as 1.11.0 (a leading v is allowed).',
    details: { field, value: text },
  });
}

function required(flag: string, configField: string, value: string | undefined): string {
  if (value !== undefined) return value;
  throw new DroverError('input', 'VERSION_MISSING', `${flag}: the current version is unknown`, {
    hint: `Pass ${flag}, or record the current version in the config as ${configField}.`,
    details: { field: configField },
  });
}
