/**
 * What `drover init` reads from an infrastructure repository instead of asking: where the
 * Terraform variables file is and which versions it pins, whether the Kubernetes version lives
 * in a talenv-style YAML file, the S3 backend of the Terraform state (backups and the journal
 * go beside it), the variables Terraform needs from the environment, and the cluster's name.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseHcl } from '../../adapters/hcl/index.js';
import { DroverError } from '../../core/errors.js';

export interface S3Backend {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
}

export interface RepoFacts {
  /** The variables file, relative to the repository. */
  variablesFile: string;
  /** The directory Terraform runs in, relative to the repository. */
  terraformDir: string;
  talosVersion: string;
  /** Where the Kubernetes version lives; none when the repository pins none. */
  kubernetes:
    | { source: 'variables'; version: string }
    | { source: 'file'; file: string; key: string; version: string }
    | { source: 'none' };
  s3Backend?: S3Backend;
  /** Variables without a default: Terraform reads them from TF_VAR_<name>. */
  requiredVariables: string[];
  /** `terraform { required_version = "..." }`, as written, when the configuration sets one. */
  terraformRequiredVersion?: string;
  clusterName: string;
}

const VARIABLES_CANDIDATES = ['terraform/variables.tf', 'variables.tf'];
const TALENV_CANDIDATES = ['talos/talenv.yaml', 'talos/talenv.yml', 'talenv.yaml', 'talenv.yml'];
const KUBERNETES_KEY = 'kubernetesVersion';
const VERSION_VARIABLES = new Set(['talos_version', 'kubernetes_version']);

export async function detectRepository(dir: string, variablesFile?: string): Promise<RepoFacts> {
  const candidates = variablesFile === undefined ? VARIABLES_CANDIDATES : [variablesFile];
  let found: { file: string; text: string } | undefined;
  for (const file of candidates) {
    const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      found = { file, text };
      break;
    }
  }
  if (found === undefined) {
    throw new DroverError(
      'input',
      'INIT_VARIABLES_NOT_FOUND',
      `no Terraform variables file in ${dir} (looked for ${candidates.join(', ')})`,
      {
        hint: 'Run init at the root of the infrastructure repository, or give --variables-file PATH.',
      },
    );
  }
  const variables = blocks((await parseHcl(found.file, found.text)).variable);
  const talosVersion = versionDefault(variables, 'talos_version', found.file);
  if (talosVersion === undefined) {
    throw new DroverError(
      'input',
      'INIT_TALOS_VERSION_NOT_FOUND',
      `${found.file} declares no variable "talos_version" with a default`,
      { hint: 'The router reads the Talos version from that variable; declare it with a default.' },
    );
  }
  const terraformDir = dirname(found.file);
  const tfText = await terraformTexts(join(dir, terraformDir));
  return {
    variablesFile: found.file,
    terraformDir,
    talosVersion,
    kubernetes: await kubernetesSource(dir, variables, found.file),
    ...(await s3Backend(tfText)),
    ...requiredVersion(tfText),
    requiredVariables: Object.entries(variables)
      .filter(([name, block]) => !VERSION_VARIABLES.has(name) && !('default' in block))
      .map(([name]) => name)
      .sort(),
    clusterName: clusterName(variables, dir),
  };
}

type Blocks = Record<string, Record<string, unknown>>;

function blocks(value: unknown): Blocks {
  const out: Blocks = {};
  if (value === null || typeof value !== 'object') return out;
  for (const [name, list] of Object.entries(value as Record<string, unknown>))
    if (Array.isArray(list) && typeof list[0] === 'object' && list[0] !== null)
      out[name] = list[0] as Record<string, unknown>;
  return out;
}

function versionDefault(variables: Blocks, name: string, file: string): string | undefined {
  const value = variables[name]?.default;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^v?\d+\.\d+\.\d+/.test(value)) {
    throw new DroverError(
      'input',
      'INIT_VERSION_INVALID',
      `${file}: the default of "${name}" is not a version: ${JSON.stringify(value)}`,
    );
  }
  return value.replace(/^v/, '');
}

async function kubernetesSource(
  dir: string,
  variables: Blocks,
  file: string,
): Promise<RepoFacts['kubernetes']> {
  const fromVariables = versionDefault(variables, 'kubernetes_version', file);
  if (fromVariables !== undefined) return { source: 'variables', version: fromVariables };
  for (const candidate of TALENV_CANDIDATES) {
    const text = await readFile(join(dir, candidate), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const value = (parseYaml(text) as Record<string, unknown> | null)?.[KUBERNETES_KEY];
    if (typeof value === 'string' && /^v?\d+\.\d+\.\d+/.test(value))
      return {
        source: 'file',
        file: candidate,
        key: KUBERNETES_KEY,
        version: value.replace(/^v/, ''),
      };
  }
  return { source: 'none' };
}

/** Every .tf file of the Terraform directory, parsed; unreadable ones are skipped. */
async function terraformTexts(dir: string): Promise<Record<string, unknown>[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.tf'));
  const parsed: Record<string, unknown>[] = [];
  for (const name of names.sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    parsed.push(await parseHcl(name, text));
  }
  return parsed;
}

async function s3Backend(files: Record<string, unknown>[]): Promise<{ s3Backend?: S3Backend }> {
  for (const file of files) {
    const terraformBlocks = Array.isArray(file.terraform) ? (file.terraform as unknown[]) : [];
    for (const terraform of terraformBlocks as Record<string, unknown>[]) {
      const backend = blocks((terraform.backend as Record<string, unknown> | undefined) ?? {}).s3;
      if (backend === undefined) continue;
      const bucket = backend.bucket;
      const region = backend.region;
      if (typeof bucket !== 'string' || typeof region !== 'string') continue;
      const endpoints = backend.endpoints as Record<string, unknown> | undefined;
      const endpoint = endpoints?.s3 ?? backend.endpoint;
      return {
        s3Backend: {
          bucket,
          region,
          ...(typeof endpoint === 'string' ? { endpoint } : {}),
          forcePathStyle: backend.use_path_style === true || backend.force_path_style === true,
        },
      };
    }
  }
  return {};
}

function requiredVersion(files: Record<string, unknown>[]): { terraformRequiredVersion?: string } {
  for (const file of files) {
    const terraformBlocks = Array.isArray(file.terraform) ? (file.terraform as unknown[]) : [];
    for (const block of terraformBlocks as Record<string, unknown>[])
      if (typeof block.required_version === 'string')
        return { terraformRequiredVersion: block.required_version };
  }
  return {};
}

function clusterName(variables: Blocks, dir: string): string {
  const named = variables.cluster_name?.default;
  const raw = typeof named === 'string' ? named : basename(dir);
  const label = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return label === '' ? 'my-cluster' : label;
}
