/**
 * The router's decision for one change of versions, pure: which Talos route (none, pets, cattle,
 * refused) and which Kubernetes route (none, kubernetes, refused), with stable refusal codes.
 */
import {
  TALOS_COMPATIBILITY,
  type MinorLine,
  type TalosLineCompatibility,
} from './compatibility.js';
import { decideKubernetes } from './route-kubernetes.js';
import { decideTalos } from './route-talos.js';
import { compareVersions, type Version } from './version.js';

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
