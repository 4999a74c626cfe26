/**
 * The versions a route compares, read from the head and base snapshots: each a literal version
 * string, and Kubernetes tracked at both revisions or neither.
 */
import { DroverError } from '../../core/errors.js';
import { parseVersion, type Version } from '../../core/version.js';
import type { FoundValue } from '../../adapters/hcl/index.js';
import { where, type Snapshot } from './read-snapshot.js';
import type { RouteOptions } from './run-route.js';
import { short } from './route-revisions.js';

export interface RouteVersions {
  oldTalos: Version | null;
  newTalos: Version;
  oldKubernetes: Version | null;
  newKubernetes: Version | null;
}

/** The head's variables file and Talos variable must exist; what names a snapshot in messages. */
export function readVersions(
  head: Snapshot,
  base: Snapshot | null,
  label: (s: Snapshot) => string,
  options: RouteOptions,
): RouteVersions {
  if (!head.fileExists) {
    throw new DroverError(
      'input',
      'FILE_NOT_FOUND',
      `${options.file} does not exist at ${options.head} (${short(head.commit)})`,
      {
        hint: 'pass --file with the path of the variables file, relative to --repo',
      },
    );
  }
  if (!head.talos) {
    throw new DroverError(
      'input',
      'VARIABLE_NOT_FOUND',
      `variable "${options.talosVariable}" has no value in ${options.file} at ${options.head} (${short(head.commit)})`,
      {
        hint: 'declare it with a default (or set it in terraform.tfvars), or name it with --talos-variable',
      },
    );
  }
  const newTalos = toVersion(head.talos, options.talosVariable, label(head), options);
  // A base without the file or the variable tracked nothing: everything at the head is new.
  const baseTracked = base?.fileExists && base.talos ? base : null;
  const oldTalos = baseTracked?.talos
    ? toVersion(baseTracked.talos, options.talosVariable, label(baseTracked), options)
    : null;
  return { oldTalos, newTalos, ...kubernetesVersions(head, baseTracked, label, options) };
}

function kubernetesVersions(
  head: Snapshot,
  baseTracked: Snapshot | null,
  label: (s: Snapshot) => string,
  options: RouteOptions,
): Pick<RouteVersions, 'oldKubernetes' | 'newKubernetes'> {
  const kubeName = options.kubernetesFile
    ? `${options.kubernetesFile}: ${options.kubernetesKey}`
    : options.kubernetesVariable;
  if (options.kubernetesFile && !head.kubernetesFileExists) {
    throw new DroverError(
      'input',
      'FILE_NOT_FOUND',
      `${options.kubernetesFile} does not exist at ${options.head} (${short(head.commit)})`,
      {
        hint: 'check --kubernetes-file (a path relative to --repo)',
      },
    );
  }
  let newKubernetes: Version | null = null;
  let oldKubernetes: Version | null = null;
  if (head.kubernetes) newKubernetes = toVersion(head.kubernetes, kubeName, label(head), options);
  if (baseTracked) {
    if (baseTracked.kubernetes)
      oldKubernetes = toVersion(baseTracked.kubernetes, kubeName, label(baseTracked), options);
    if ((oldKubernetes === null) !== (newKubernetes === null)) {
      const [has, lacks] = oldKubernetes
        ? [label(baseTracked), label(head)]
        : [label(head), label(baseTracked)];
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
  return { oldKubernetes, newKubernetes };
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
