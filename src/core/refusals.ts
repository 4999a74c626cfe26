/**
 * One set of refusals for every command that decides whether an upgrade may go: `route`, `plan`,
 * `upgrade` and `simulate` all ask `decideUpgrade` (itself the router's `decideRoute`) and turn
 * its first refusal into the same DroverError (exit 3), whose hint names a flag the asking
 * command has. A downgrade, a forbidden hop and an unknown line each yield to exactly one flag;
 * a Talos downgrade across several lines, a Kubernetes downgrade, a major change or a version
 * outside the Talos line's range yield to none.
 */
import { DroverError } from './errors.js';
import type { UpgradeKind } from './plan.js';
import { decideRoute } from './route.js';
import type { Refusal, RefusalCode, RouteAllowances, RouteDecision } from './route.js';
import type { MinorLine } from './compatibility.js';
import type { Version } from './version.js';
import { checkRelease, latestPatchIn } from './release-gate.js';
import type { Release, ReleaseGateRefusal } from './release-gate.js';

/**
 * The release gate (opt-in): the Talos target must be the newest patch of its line in the list
 * and at least `minAgeDays` old at `now`. From the config's `releaseGate`, overridden by
 * `--release-list` / `--min-release-age`, the same on all four commands.
 */
export interface ReleaseGate {
  releases: readonly Release[];
  minAgeDays: number;
  /** Milliseconds since the epoch (the caller's clock: simulate's is virtual). */
  now: number;
}

export const REFUSING_COMMANDS = ['route', 'plan', 'upgrade', 'simulate'] as const;
export type RefusingCommand = (typeof REFUSING_COMMANDS)[number];

export const ALLOW_FLAGS = ['--allow-downgrade', '--allow-multi-hop', '--allow-unknown'] as const;
export type AllowFlag = (typeof ALLOW_FLAGS)[number];

/** The flag that lets a refusal through, or null when nothing may (talosctl cannot do it). */
export const FLAG_OF_REFUSAL: Record<RefusalCode, AllowFlag | null> = {
  DOWNGRADE: '--allow-downgrade',
  DOWNGRADE_MULTI_HOP: null,
  FORBIDDEN_HOP: '--allow-multi-hop',
  UNKNOWN_TARGET_LINE: '--allow-unknown',
  K8S_DOWNGRADE: null,
  K8S_SKIPPED_MINOR: '--allow-multi-hop',
  K8S_OUT_OF_RANGE: null,
};

export interface UpgradeRouteInput {
  kind: UpgradeKind;
  /** Talos now and after; for kind kubernetes the running Talos twice (it does not move). */
  talos: { from: Version; to: Version };
  /** Kubernetes now and after; null when unknown (a Talos plan without versions.kubernetes). */
  kubernetes: { from: Version; to: Version } | null;
  allow: RouteAllowances;
  /** Newest Talos patch per line from a release list, when the config points at one. */
  latestTalosPatch?: (line: MinorLine) => string | undefined;
  /** The release gate, when the config or the command line asks for one. */
  releaseGate?: ReleaseGate;
}

export interface UpgradeRoute {
  decision: RouteDecision;
  /** The first refusal, or undefined when the upgrade may go. */
  refusal: Refusal | undefined;
  /** Versions of the kind to install in order, ending at the target (empty: nothing moves). */
  hops: string[];
  /** The release gate's refusal of the Talos target (only when no route refusal came first). */
  releaseGate?: ReleaseGateRefusal;
  /** A cattle plan with intermediate hops (refused: cattleHopsRefusal). */
  cattleHops?: CattleHopsRefusal;
}

/**
 * Cattle goes straight to one version: its templates are built by Terraform from the Talos
 * version the configuration holds (talos_version at the head commit, the target), so a run cannot
 * build an intermediate hop's templates; and every node of a node-per-node replacement at a
 * version several lines ahead joins the old cluster's etcd and machine config, which the
 * upstream projects only support one minor at a time: etcd "Upgrades that skip a minor version
 * are not supported" (etcd.io/docs/v3.6/upgrades/upgrading-etcd), Talos config migration "is
 * only tested between adjacent minor releases" (docs.siderolabs.com talos v1.11 "Upgrading
 * Talos Linux", Supported upgrade paths). So a cattle plan with hops is refused, naming the
 * ways that work: in place through every hop (pets), or one cattle run per hop.
 */
export interface CattleHopsRefusal {
  readonly code: 'CATTLE_MULTI_HOP';
  readonly reason: string;
  readonly hops: readonly string[];
}

export function cattleHopsRefusal(
  kind: UpgradeKind,
  hops: readonly string[],
): CattleHopsRefusal | undefined {
  if (kind !== 'cattle' || hops.length < 2) return undefined;
  return {
    code: 'CATTLE_MULTI_HOP',
    hops: [...hops],
    reason: `a cattle upgrade cannot go through intermediate hops (${hops.join(' -> ')}): its templates are built from the Talos version the Terraform configuration holds, and a fresh node must not skip a minor of the cluster's etcd and machine config`,
  };
}

export function cattleHopsHint(command: RefusingCommand, hops: readonly string[]): string {
  return command === 'route'
    ? `Commit one line at a time (talos_version = ${hops[0]}, then the next: ${hops.join(' -> ')}), each routed and upgraded on its own.`
    : `Go in place through every hop (drover ${command} ${command === 'simulate' ? '--kind pets' : 'pets'} --allow-multi-hop), or run one cattle upgrade per hop (--to ${hops[0]} first, then ${hops.slice(1).join(', then ')}).`;
}

/** The gate's answer on a decided route: only a route that installs a new Talos is judged. */
export function releaseGateRefusal(
  decision: RouteDecision,
  target: Version,
  gate: ReleaseGate | undefined,
): ReleaseGateRefusal | undefined {
  if (!gate || (decision.upgradeType !== 'pets' && decision.upgradeType !== 'cattle'))
    return undefined;
  return checkRelease(target, gate.releases, { minAgeDays: gate.minAgeDays, now: gate.now });
}

/** What to do about a release gate refusal, naming what the command has. */
export function releaseGateHint(command: RefusingCommand): string {
  return `The release gate (releaseGate in the config, or drover ${command} --release-list/--min-release-age) refused the Talos target: do what the reason names, then run again.`;
}

export function decideUpgrade(input: UpgradeRouteInput): UpgradeRoute {
  const { talos, kubernetes } = input;
  const latest =
    input.latestTalosPatch ??
    (input.releaseGate ? latestPatchIn(input.releaseGate.releases) : undefined);
  const decision = decideRoute({
    oldTalos: talos.from,
    newTalos: talos.to,
    oldKubernetes: kubernetes?.from ?? null,
    newKubernetes: kubernetes?.to ?? null,
    allow: input.allow,
    ...(latest ? { latestTalosPatch: latest } : {}),
  });
  const hops = input.kind === 'kubernetes' ? decision.kubernetesHops : decision.hops;
  const refusal = decision.refusals[0];
  const gate =
    refusal || input.kind === 'kubernetes'
      ? undefined
      : releaseGateRefusal(decision, talos.to, input.releaseGate);
  const cattleHops = refusal ? undefined : cattleHopsRefusal(input.kind, hops);
  return {
    decision,
    refusal,
    hops: [...hops],
    ...(cattleHops ? { cattleHops } : {}),
    ...(gate ? { releaseGate: gate } : {}),
  };
}

/** What the operator can do about a refusal, naming only flags `command` has. */
export function refusalHint(refusal: Pick<Refusal, 'code'>, command: RefusingCommand): string {
  const flag = FLAG_OF_REFUSAL[refusal.code];
  if (flag !== null) {
    const what =
      flag === '--allow-downgrade'
        ? 'if the downgrade is meant'
        : flag === '--allow-multi-hop'
          ? 'to run the hops named in the reason, one after another'
          : 'to go to a line the compatibility data does not know, at your own risk';
    return `Pass ${flag} to drover ${command} ${what}.`;
  }
  if (refusal.code === 'DOWNGRADE_MULTI_HOP')
    return command === 'route'
      ? 'Downgrade one line at a time: commit talos_version at the first hop the reason names, route and upgrade it, then the next (compare revisions with --base/--head).'
      : `Downgrade one line at a time: drover ${command} ${command === 'simulate' ? '--kind cattle' : 'cattle'} --allow-downgrade --to the first hop the reason names, then the next.`;
  if (command === 'route')
    return refusal.code === 'K8S_OUT_OF_RANGE'
      ? 'Change kubernetes_version and talos_version in separate commits in the order the reason names, and route each (--base/--head).'
      : 'Kubernetes cannot go down or change major: restore kubernetes_version in the variables file (compare other revisions with --base/--head).';
  return refusal.code === 'K8S_OUT_OF_RANGE'
    ? `Pick a --to inside the range the reason names, or upgrade the other of Talos and Kubernetes first (drover ${command} kubernetes|cattle --to ...).`
    : `Kubernetes cannot go down or change major: pick a --to at or above the current version, in the same major.`;
}

export function refusalError(
  refusal: Refusal,
  command: RefusingCommand,
  details: Record<string, unknown>,
): DroverError {
  const flag = FLAG_OF_REFUSAL[refusal.code];
  return new DroverError('refused', refusal.code, refusal.reason, {
    hint: refusalHint(refusal, command),
    details: { ...details, subject: refusal.subject, ...(flag ? { allowedBy: flag } : {}) },
  });
}

/** `decideUpgrade`, throwing the refusal as the command's DroverError. */
export function checkUpgrade(input: UpgradeRouteInput, command: RefusingCommand): UpgradeRoute {
  const route = decideUpgrade(input);
  if (route.refusal) {
    throw refusalError(route.refusal, command, {
      kind: input.kind,
      from: input.kind === 'kubernetes' ? input.kubernetes?.from.text : input.talos.from.text,
      to: input.kind === 'kubernetes' ? input.kubernetes?.to.text : input.talos.to.text,
      hops:
        route.decision.refusals[0]?.subject === 'kubernetes'
          ? [...route.decision.kubernetesHops]
          : [...route.decision.hops],
    });
  }
  if (route.cattleHops)
    throw new DroverError('refused', route.cattleHops.code, route.cattleHops.reason, {
      hint: cattleHopsHint(command, route.cattleHops.hops),
      details: { kind: input.kind, hops: [...route.cattleHops.hops] },
    });
  if (route.releaseGate)
    throw new DroverError('refused', route.releaseGate.code, route.releaseGate.reason, {
      hint: releaseGateHint(command),
      details: { kind: input.kind, to: input.talos.to.text },
    });
  return route;
}
