/**
 * Kubernetes: `talosctl upgrade-k8s` supports a patch bump or exactly one minor up, so the route
 * is split into hops of one minor each. Each hop is a dry run, then the real upgrade; validation
 * follows the last hop.
 *
 * Intermediate hops: the router's hops (latest known patch of each minor, latest-patches.ts) come
 * in as `hops` (e.g. ['1.33.6', '1.34.1']); they are checked to be one minor at a time and to
 * end at the target. Without them an intermediate minor defaults to its `.0` release. Several
 * hops make a phase each.
 *
 * For this kind `kubernetes` carries the Kubernetes pair and `from`/`to` of PlanInput are the
 * cluster's Talos version (unchanged; the validation checks it). The plan's own from/to/hops
 * are Kubernetes versions.
 */
import semver from 'semver';
import { DroverError } from './errors.js';
import type { Plan, PlanPhase } from './plan.js';
import type { PlanInput } from './plan-build.js';
import {
  assertUniqueStepIds,
  checkInventory,
  clusterStep,
  normalizeVersion,
  validationPhase,
} from './plan-common.js';

export function kubernetesHops(from: string, to: string, given?: string[]): string[] {
  if (semver.lt(to, from)) {
    throw new DroverError(
      'refused',
      'K8S_DOWNGRADE',
      `Kubernetes ${from} -> ${to} is a downgrade`,
      {
        hint: 'talosctl upgrade-k8s cannot downgrade; restore from a backup or pick a newer version.',
        details: { from, to },
      },
    );
  }
  if (semver.major(from) !== semver.major(to)) {
    throw new DroverError('refused', 'K8S_PATH_UNSUPPORTED', `no upgrade path ${from} -> ${to}`, {
      hint: 'Kubernetes upgrades go one minor version at a time within a major version.',
      details: { from, to },
    });
  }
  if (semver.eq(from, to)) return [];
  if (given !== undefined && given.length > 0) return checkedHops(from, to, given);
  const hops: string[] = [];
  for (let minor = semver.minor(from) + 1; minor < semver.minor(to); minor++) {
    hops.push(`${semver.major(from)}.${minor}.0`);
  }
  hops.push(to);
  return hops;
}

function checkedHops(from: string, to: string, given: string[]): string[] {
  const hops = given.map((h, i) => normalizeVersion(`hops[${i}]`, h));
  let previous = from;
  for (const hop of hops) {
    const step = semver.minor(hop) - semver.minor(previous);
    if (semver.lte(hop, previous) || semver.major(hop) !== semver.major(previous) || step > 1) {
      throw new DroverError(
        'input',
        'HOPS_INVALID',
        `hop ${previous} -> ${hop} is not one supported step`,
        {
          hint: 'Each Kubernetes hop must go up by a patch or by exactly one minor version.',
          details: { from, to, hops },
        },
      );
    }
    previous = hop;
  }
  if (previous !== to) {
    throw new DroverError('input', 'HOPS_INVALID', `the last hop must be the target ${to}`, {
      hint: 'List the hops in order, ending with the target version.',
      details: { hops, to },
    });
  }
  return hops;
}

export function buildKubernetesPlan(input: PlanInput): Plan {
  if (input.kubernetes === undefined) {
    throw new DroverError(
      'input',
      'K8S_VERSIONS_MISSING',
      'a Kubernetes upgrade needs the Kubernetes versions',
      {
        hint: 'Pass kubernetes: { from, to } (the current and target Kubernetes versions).',
      },
    );
  }
  checkInventory(input.inventory, { cattle: false });
  const talos = normalizeVersion('to', input.to);
  const from = normalizeVersion('kubernetes.from', input.kubernetes.from);
  const to = normalizeVersion('kubernetes.to', input.kubernetes.to);
  const hops = kubernetesHops(from, to, input.hops);
  return assertUniqueStepIds({
    schemaVersion: 1,
    kind: 'kubernetes',
    cluster: input.inventory.cluster,
    from,
    to,
    hops,
    phases: [...kubernetesPhases(hops), validationPhase(input.inventory, talos, to)],
    policy: input.policy,
  });
}

/** A dry run then the upgrade per hop; several hops get a phase each. */
function kubernetesPhases(hops: readonly string[]): PlanPhase[] {
  const hopSteps = (hop: string, i: number) => [
    clusterStep(
      'k8s-upgrade',
      `Dry run of the Kubernetes upgrade to ${hop}`,
      { to: hop, dryRun: true },
      2 * i + 1,
    ),
    clusterStep(
      'k8s-upgrade',
      `Upgrade Kubernetes to ${hop}`,
      { to: hop, dryRun: false },
      2 * i + 2,
    ),
  ];
  // Several hops: a phase per hop (the journal keys on the numbered step ids either way).
  return hops.length > 1
    ? hops.map((hop, i) => ({
        id: 'kubernetes',
        title: `Hop ${i + 1} of ${hops.length}: upgrade Kubernetes to ${hop}`,
        steps: hopSteps(hop, i),
        units: [],
        concurrency: 'one-at-a-time',
        hop,
      }))
    : [
        {
          id: 'kubernetes',
          title:
            hops.length === 0
              ? 'Kubernetes is already at the target'
              : `Upgrade Kubernetes in ${hops.length} hop(s)`,
          steps: hops.flatMap(hopSteps),
          units: [],
          concurrency: 'one-at-a-time',
        },
      ];
}
