/**
 * The router use-case, shared by `drover route` and the GitHub Action: resolve the two
 * revisions, read the versions at each, validate them, and decide.
 */
import { latestPatchIn } from '../../core/release-gate.js';
import type { ReleaseGateRefusal } from '../../core/release-gate.js';
import { releaseGateRefusal } from '../../core/refusals.js';
import { decideRoute, type RouteDecision } from '../../core/route.js';
import { resolveReleaseGate } from '../config/release-gate-config.js';
import type { ReleaseGateConfig } from '../config/release-gate-config.js';
import { createGitReader } from '../../adapters/git/git.js';
import type { Env } from '../../adapters/github-actions/github-actions.js';
import { readSnapshot, type Snapshot, type SnapshotRequest } from './read-snapshot.js';
import { resolveBase, resolveOrFail, short } from './route-revisions.js';
import { readVersions } from './route-versions.js';

export interface RouteOptions extends SnapshotRequest {
  repo: string;
  /** Undefined: the push's `before` under GitHub Actions, else `<head>^`. */
  base?: string;
  head: string;
  allowDowngrade: boolean;
  allowMultiHop: boolean;
  allowUnknown: boolean;
  allowPrerelease: boolean;
  /** Release gate: a list of { version, publishedAt } the Talos target must be the newest patch of. */
  releaseList?: string;
  /** Release gate: the Talos target must be at least this many days old (needs releaseList). */
  minReleaseAgeDays?: number;
  /** The config's releaseGate section, when a config was found (the flags above override it). */
  releaseGateConfig?: ReleaseGateConfig;
  /** Now, for the release gate's age rule (default: the system clock). */
  now?: number;
  env: Env;
  signal?: AbortSignal;
}

export const BASE_SOURCES = ['flag', 'push-before', 'parent', 'none'] as const;
export type BaseSource = (typeof BASE_SOURCES)[number];

export interface RouteOutcome {
  readonly decision: RouteDecision;
  readonly warnings: readonly string[];
  readonly base: { revision: string | null; commit: string | null; source: BaseSource };
  readonly head: { revision: string; commit: string };
  readonly file: string;
  /** The release gate's refusal of the Talos target, when a gate was asked for and refused. */
  readonly releaseGate?: ReleaseGateRefusal;
}

export const ROUTE_DEFAULTS = {
  repo: '.',
  head: 'HEAD',
  file: 'terraform/variables.tf',
  talosVariable: 'talos_version',
  kubernetesVariable: 'kubernetes_version',
  kubernetesKey: 'kubernetesVersion',
} as const;

export async function runRoute(options: RouteOptions): Promise<RouteOutcome> {
  const git = createGitReader(options.repo, options.signal);
  const headCommit = await resolveOrFail(git, options.head, 'head');
  const base = await resolveBase(git, options, headCommit);

  const headSnapshot = await readSnapshot(git, headCommit, `head ${short(headCommit)}`, options);
  const baseSnapshot = base.commit
    ? await readSnapshot(git, base.commit, `base ${short(base.commit)}`, options)
    : null;
  const label = (s: Snapshot) =>
    `${s === headSnapshot ? options.head : (base.revision ?? 'base')} (${short(s.commit)})`;
  const versions = readVersions(headSnapshot, baseSnapshot, label, options);

  const gate = await resolveReleaseGate(
    options.releaseGateConfig,
    {
      ...(options.releaseList ? { releaseList: options.releaseList } : {}),
      ...(options.minReleaseAgeDays !== undefined
        ? { minReleaseAgeDays: options.minReleaseAgeDays }
        : {}),
    },
    options.now ?? Date.now(),
  );
  const decision = decideRoute({
    ...versions,
    allow: {
      allowDowngrade: options.allowDowngrade,
      allowMultiHop: options.allowMultiHop,
      allowUnknown: options.allowUnknown,
    },
    ...(gate ? { latestTalosPatch: latestPatchIn(gate.releases) } : {}),
  });
  // The one release gate of every command (core/refusals.ts).
  const releaseGate = releaseGateRefusal(decision, versions.newTalos, gate);
  return {
    decision,
    ...(releaseGate ? { releaseGate } : {}),
    warnings: [...(baseSnapshot?.warnings ?? []), ...headSnapshot.warnings],
    base,
    head: { revision: options.head, commit: headCommit },
    file: options.file,
  };
}
