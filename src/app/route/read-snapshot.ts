/**
 * The versions at one revision, as Terraform would see them: the variable's default, overridden
 * by tfvars beside the variables file; Kubernetes from the same file or from a YAML file.
 */
import { posix } from 'node:path';
import { DroverError } from '../../core/errors.js';
import type { GitReader } from '../../adapters/git/git.js';
import type { FoundValue, ValueSource } from '../../adapters/hcl/index.js';

export interface SnapshotRequest {
  file: string;
  talosVariable: string;
  kubernetesVariable: string;
  kubernetesFile?: string;
  kubernetesKey: string;
}

export interface Snapshot {
  readonly commit: string;
  readonly fileExists: boolean;
  readonly talos: FoundValue | null;
  /** Null when Kubernetes is not found at this revision. */
  readonly kubernetes: FoundValue | null;
  /** Whether the separate Kubernetes file (when one was named) exists at this revision. */
  readonly kubernetesFileExists: boolean;
  readonly warnings: readonly string[];
}

export async function readSnapshot(
  git: GitReader,
  commit: string,
  label: string,
  request: SnapshotRequest,
): Promise<Snapshot> {
  const file = normalise(request.file);
  const text = await git.readFile(commit, file);
  const warnings: string[] = [];
  if (text === null) {
    return {
      commit,
      fileExists: false,
      talos: null,
      kubernetes: null,
      kubernetesFileExists: false,
      warnings,
    };
  }
  const hcl = await import('../../adapters/hcl/index.js');
  const declarations = await hcl.readVariableDeclarations(file, text);
  const overrides = await readOverrides(git, commit, file);

  const effective = (name: string): FoundValue | null => {
    const declaration = declarations(name);
    const fallback = declaration.declared ? declaration.default : null;
    const override =
      [...overrides]
        .reverse()
        .map((lookup) => lookup(name))
        .find((v) => v !== null) ?? null;
    if (override && !declaration.declared) {
      warnings.push(
        `${label}: ${where(override.source)} sets ${name}, but ${file} does not declare it; Terraform would reject it`,
      );
    }
    if (override && fallback && !sameValue(override.value, fallback.value)) {
      warnings.push(
        `${label}: ${name} is ${show(override.value)} in ${where(override.source)} but its default in ${where(fallback.source)} is ${show(fallback.value)}; the tfvars value wins, as in Terraform`,
      );
    }
    return override ?? fallback;
  };

  const { kubernetes, kubernetesFileExists } = request.kubernetesFile
    ? await readKubernetesFile(git, commit, request.kubernetesFile, request.kubernetesKey)
    : { kubernetes: effective(request.kubernetesVariable), kubernetesFileExists: false };
  return {
    commit,
    fileExists: true,
    talos: effective(request.talosVariable),
    kubernetes,
    kubernetesFileExists,
    warnings,
  };
}

/** Kubernetes from a YAML file of its own (kubernetesFile), at a key of it. */
async function readKubernetesFile(
  git: GitReader,
  commit: string,
  file: string,
  key: string,
): Promise<Pick<Snapshot, 'kubernetes' | 'kubernetesFileExists'>> {
  const kubeFile = normalise(file);
  const yamlText = await git.readFile(commit, kubeFile);
  if (yamlText === null) return { kubernetes: null, kubernetesFileExists: false };
  const { readYamlValue } = await import('../../adapters/yaml-value/yaml-value.js');
  const found = readYamlValue(kubeFile, yamlText, key);
  return {
    kubernetes: found ? { value: found.value, source: { file: kubeFile, line: found.line } } : null,
    kubernetesFileExists: true,
  };
}

async function readOverrides(git: GitReader, commit: string, file: string) {
  const hcl = await import('../../adapters/hcl/index.js');
  const dir = posix.dirname(file);
  const names = hcl.tfvarsLoadOrder(await git.listDirectory(commit, dir));
  const lookups = [];
  for (const name of names) {
    const path = dir === '.' ? name : `${dir}/${name}`;
    const text = await git.readFile(commit, path);
    if (text === null) continue;
    lookups.push(await hcl.readTfvars(path, text));
  }
  return lookups;
}

export function where(source: ValueSource): string {
  return source.line === null ? source.file : `${source.file}:${source.line}`;
}

function normalise(path: string): string {
  const clean = posix.normalize(path.replace(/\\/g, '/'));
  if (clean.startsWith('../') || clean === '..' || posix.isAbsolute(clean)) {
    throw new DroverError(
      'usage',
      'PATH_OUTSIDE_REPOSITORY',
      `${path} is not a path inside the repository`,
      {
        hint: 'give paths relative to --repo, e.g. terraform/variables.tf',
      },
    );
  }
  return clean;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string')
    return a.replace(/^v/, '') === b.replace(/^v/, '');
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
