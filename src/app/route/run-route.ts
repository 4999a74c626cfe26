/**
 * The router use-case, shared by `drover route` and the GitHub Action: resolve the two
 * revisions, read the versions at each, validate them, and decide.
 */
import { DroverError } from '../../core/errors.js';
import { latestPatchIn } from '../../core/release-gate.js';
import type { ReleaseGateRefusal } from '../../core/release-gate.js';
import { releaseGateRefusal } from '../../core/refusals.js';
import { decideRoute, type RouteDecision } from '../../core/route.js';
import { resolveReleaseGate } from '../config/release-gate-config.js';
import type { ReleaseGateConfig } from '../config/release-gate-config.js';
import { parseVersion, type Version } from '../../core/version.js';
import { createGitReader, type GitReader } from '../../adapters/git/git.js';
import type { FoundValue } from '../../adapters/hcl/index.js';
import { pushBeforeRevision, type Env } from '../../adapters/github-actions/github-actions.js';
import { readSnapshot, where, type Snapshot, type SnapshotRequest } from './read-snapshot.js';

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

  if (!headSnapshot.fileExists) {
    throw new DroverError(
      'input',
      'FILE_NOT_FOUND',
      `${options.file} does not exist at ${options.head} (${short(headCommit)})`,
      {
        hint: 'pass --file with the path of the variables file, relative to --repo',
      },
    );
  }
  if (!headSnapshot.talos) {
    throw new DroverError(
      'input',
      'VARIABLE_NOT_FOUND',
      `variable "${options.talosVariable}" has no value in ${options.file} at ${options.head} (${short(headCommit)})`,
      {
        hint: 'declare it with a default (or set it in terraform.tfvars), or name it with --talos-variable',
      },
    );
  }
  const label = (s: Snapshot) =>
    `${s === headSnapshot ? options.head : (base.revision ?? 'base')} (${short(s.commit)})`;
  const newTalos = toVersion(
    headSnapshot.talos,
    options.talosVariable,
    label(headSnapshot),
    options,
  );
  const baseTracked = baseSnapshot?.fileExists && baseSnapshot.talos ? baseSnapshot : null;
  const oldTalos = baseTracked?.talos
    ? toVersion(baseTracked.talos, options.talosVariable, label(baseTracked), options)
    : null;

  const kubeName = options.kubernetesFile
    ? `${options.kubernetesFile}: ${options.kubernetesKey}`
    : options.kubernetesVariable;
  if (options.kubernetesFile && !headSnapshot.kubernetesFileExists) {
    throw new DroverError(
      'input',
      'FILE_NOT_FOUND',
      `${options.kubernetesFile} does not exist at ${options.head} (${short(headCommit)})`,
      {
        hint: 'check --kubernetes-file (a path relative to --repo)',
      },
    );
  }
  let newKubernetes: Version | null = null;
  let oldKubernetes: Version | null = null;
  if (headSnapshot.kubernetes)
    newKubernetes = toVersion(headSnapshot.kubernetes, kubeName, label(headSnapshot), options);
  if (baseTracked) {
    if (baseTracked.kubernetes)
      oldKubernetes = toVersion(baseTracked.kubernetes, kubeName, label(baseTracked), options);
    if ((oldKubernetes === null) !== (newKubernetes === null)) {
      const [has, lacks] = oldKubernetes
        ? [label(baseTracked), label(headSnapshot)]
        : [label(headSnapshot), label(baseTracked)];
      throw new DroverError(
        'input',
        'KUBERNETES_VERSION_PARTIAL',
        `${kubeName} is set at ${has} but not at ${lacks}; Drover cannot tell what changed`,
        {
          hint: 'track Kubernetes at both revisions (or neither); compare across a range where it exists at both with --base',
        },
      );
    }
  }

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
    oldTalos,
    newTalos,
    oldKubernetes,
    newKubernetes,
    allow: {
      allowDowngrade: options.allowDowngrade,
      allowMultiHop: options.allowMultiHop,
      allowUnknown: options.allowUnknown,
    },
    ...(gate ? { latestTalosPatch: latestPatchIn(gate.releases) } : {}),
  });
  // The one release gate of every command (core/refusals.ts).
  const releaseGate = releaseGateRefusal(decision, newTalos, gate);
  return {
    decision,
    ...(releaseGate ? { releaseGate } : {}),
    warnings: [...(baseSnapshot?.warnings ?? []), ...headSnapshot.warnings],
    base,
    head: { revision: options.head, commit: headCommit },
    file: options.file,
  };
}

async function resolveBase(
  git: GitReader,
  options: RouteOptions,
  headCommit: string,
): Promise<RouteOutcome['base']> {
  if (options.base !== undefined && options.base !== '') {
    return {
      revision: options.base,
      commit: await resolveOrFail(git, options.base, 'base'),
      source: 'flag',
    };
  }
  const before = await pushBeforeRevision(options.env);
  if (before) {
    const commit = await git.resolveCommit(before);
    if (!commit) {
      throw new DroverError(
        'input',
        'REVISION_NOT_FOUND',
        `the push's previous revision ${before} is not in the clone`,
        {
          hint: 'check out with enough history: actions/checkout with fetch-depth: 0',
        },
      );
    }
    return { revision: before, commit, source: 'push-before' };
  }
  const parent = `${options.head}^`;
  const commit = await git.resolveCommit(parent);
  if (commit) return { revision: parent, commit, source: 'parent' };
  if ((await git.parents(headCommit)).length === 0)
    return { revision: null, commit: null, source: 'none' };
  throw new DroverError(
    'input',
    'REVISION_NOT_FOUND',
    `${parent} is not in the clone (shallow checkout?)`,
    {
      hint: 'fetch more history (actions/checkout with fetch-depth: 0) or pass --base',
    },
  );
}

async function resolveOrFail(
  git: GitReader,
  revision: string,
  role: 'base' | 'head',
): Promise<string> {
  const commit = await git.resolveCommit(revision);
  if (commit) return commit;
  throw new DroverError(
    'input',
    'REVISION_NOT_FOUND',
    `${role} revision ${JSON.stringify(revision)} does not exist in the repository`,
    {
      hint: `pass --${role} with a commit, branch or tag that exists (a shallow clone may lack it: fetch-depth: 0)`,
    },
  );
}

function toVersion(found: FoundValue, name: string, at: string, options: RouteOptions): Version {
  const place = `${where(found.source)} at ${at}`;
  if (typeof found.value !== 'string') {
    throw new DroverError(
      'input',
      'BAD_VERSION',
      `${place}: ${name} is ${describe(found.value)}, not a version string like "1.11.0"`,
      {
        hint: 'quote the version: default = "1.11.0"',
        details: { file: found.source.file, line: found.source.line, value: found.value },
      },
    );
  }
  if (found.value.includes('${') || found.value.includes('%{')) {
    throw new DroverError(
      'input',
      'BAD_VERSION',
      `${place}: ${name} is the expression ${JSON.stringify(found.value)}, not a literal version`,
      {
        hint: 'the router reads literal values only; write the version itself (Renovate bumps it there)',
        details: { file: found.source.file, line: found.source.line, value: found.value },
      },
    );
  }
  const parsed = parseVersion(found.value, { allowPrerelease: options.allowPrerelease });
  if (parsed.ok) return parsed.version;
  throw new DroverError(
    'input',
    parsed.problem === 'prerelease' ? 'PRERELEASE_VERSION' : 'BAD_VERSION',
    `${place}: ${name} ${JSON.stringify(found.value)}: ${parsed.message}`,
    {
      hint:
        parsed.problem === 'prerelease'
          ? 'pass --allow-prerelease to route pre-releases'
          : 'use a version of the form X.Y.Z (a leading v is fine)',
      details: { file: found.source.file, line: found.source.line, value: found.value },
    },
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list ${JSON.stringify(value)}`;
  if (typeof value === 'object') return `an object ${JSON.stringify(value)}`;
  return `the ${typeof value} ${JSON.stringify(value)}`;
}

function short(commit: string): string {
  return commit.slice(0, 7);
}
