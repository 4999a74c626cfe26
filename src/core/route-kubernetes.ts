/**
 * The Kubernetes half of the router's decision, pure: none, kubernetes (one minor at a time,
 * inside the target Talos line's supported range) or refused.
 */
import {
  compareLines as compareLinesOf,
  kubernetesInRange,
  kubernetesOneHop,
  kubernetesPath,
  kubernetesRangeFor,
  type TalosLineCompatibility,
} from './compatibility.js';
import type { KubernetesRoute, Refusal, RefusalCode, RouteInput } from './route.js';
import { compareVersions, lineOf } from './version.js';

export interface KubernetesPart {
  route: KubernetesRoute;
  hops: readonly string[];
  reason: string | null;
  refusal?: Refusal;
}

export function decideKubernetes(
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
