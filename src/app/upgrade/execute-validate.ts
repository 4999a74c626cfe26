/**
 * The validate use case (`drover validate`): the cluster validation of the upgrade's last step
 * (core validateCluster), read once from the live cluster: every node of the config present,
 * Ready, schedulable, at the expected versions, GPUs allocatable, HelmReleases ready, no stuck
 * pods; and no node the config does not know. A read that fails is a failed validation, never a
 * pass.
 */
import { SystemClock } from '../../adapters/system/system-clock.js';
import { DroverError, isDroverError } from '../../core/errors.js';
import { validateCluster } from '../../core/gates.js';
import { parseVersion } from '../../core/version.js';
import type { NodeView } from '../../ports/kubernetes.js';
import type { KubernetesAdapter } from '../../adapters/kubernetes/index.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { buildKubernetes, registerSecrets } from './build-ports.js';
import type { UseCaseIo } from './execute-upgrade.js';

export interface ValidateOptions {
  config: string;
  talos?: string;
  kubernetes?: string;
  kubeconfig?: string;
  context?: string;
  json: boolean;
}

export interface ValidationResult {
  cluster: string;
  ok: boolean;
  expected: { talos: string; kubernetes: string | null; nodes: number };
  problems: string[];
  nodes: {
    name: string;
    ready: string;
    cordoned: boolean;
    talosVersion: string | null;
    kubeletVersion: string;
  }[];
}

/** The validation, redacted by the caller's Redactor (which also redacts what it prints of an error this throws). */
export async function executeValidate(
  options: ValidateOptions,
  io: Omit<UseCaseIo, 'reporter'>,
): Promise<ValidationResult> {
  const { redactor } = io;
  const loaded = await loadConfig(options.config);
  for (const warning of loaded.warnings) io.stderr(`warning: ${warning}\n`);
  registerSecrets(loaded, io.env, redactor, options.json ? io.stderr : io.stdout);
  const talos = expectedVersion(
    '--talos',
    'versions.talos',
    options.talos,
    loaded.config.versions.talos,
  );
  const k8sText = options.kubernetes ?? loaded.config.versions.kubernetes;
  const kubernetes =
    k8sText === undefined
      ? undefined
      : expectedVersion('--kubernetes', 'versions.kubernetes', k8sText, k8sText);
  const clock = io.clock ?? new SystemClock();
  const k = buildKubernetes({ loaded, flags: options, env: io.env, clock, redactor });
  try {
    return redactor.redactValue(await judgeLiveCluster(k, loaded, talos, kubernetes));
  } finally {
    k.close();
  }
}

/** One read of the live cluster, judged as the upgrade's last step judges it. */
async function judgeLiveCluster(
  k: KubernetesAdapter,
  loaded: LoadedConfig,
  talos: string,
  kubernetes: string | undefined,
): Promise<ValidationResult> {
  const soft = <T>(p: Promise<T>) => p.catch(() => undefined);
  // Unreadable nodes fail the validation; why (which endpoint, which kubeconfig) is said.
  let nodesError: unknown;
  const nodes = await k.listNodes().catch((error: unknown) => {
    nodesError = error;
    return undefined;
  });
  const expectedNodes = loaded.inventory.nodes.map((n) => n.name);
  const decision = validateCluster(
    {
      nodes,
      helmReleases: await soft(k.helmReleases()),
      problemPods: await soft(k.problemPods()),
    },
    {
      expectedNodes,
      gpuNodes: loaded.inventory.nodes.filter((n) => n.gpu).map((n) => n.name),
      talos,
      kubernetes,
    },
  );
  const problems = decision.verdict === 'pass' ? [] : [decision.reason];
  if (nodesError !== undefined) problems.push(readFailure(nodesError));
  const unknown = (nodes ?? []).map((n) => n.name).filter((n) => !expectedNodes.includes(n));
  if (unknown.length > 0) problems.push(`not in the config: ${unknown.join(', ')}`);
  return {
    cluster: loaded.config.cluster,
    ok: problems.length === 0,
    expected: { talos, kubernetes: kubernetes ?? null, nodes: expectedNodes.length },
    problems,
    nodes: (nodes ?? []).map(nodeSummary),
  };
}

function readFailure(error: unknown): string {
  if (!isDroverError(error)) return `nodes: ${String(error)}`;
  return `nodes: ${error.message}${error.hint ? ` (${error.hint})` : ''}`;
}

function nodeSummary(n: NodeView): ValidationResult['nodes'][number] {
  return {
    name: n.name,
    ready: n.ready,
    cordoned: n.unschedulable,
    talosVersion: n.talosVersion ?? null,
    kubeletVersion: n.kubeletVersion,
  };
}

/** The validation for a person: one line when it holds, else each problem on its own line. */
export function validationText(r: ValidationResult): string {
  const versions = `Talos ${r.expected.talos}${r.expected.kubernetes ? `, Kubernetes ${r.expected.kubernetes}` : ''}`;
  if (r.ok)
    return `cluster ${r.cluster} validates: all ${r.expected.nodes} nodes Ready, schedulable, at ${versions}; HelmReleases ready; no stuck pods\n`;
  return `cluster ${r.cluster} does NOT validate (expected ${versions}):\n${r.problems
    .flatMap((p) => p.split('; '))
    .map((p) => `  - ${p}\n`)
    .join('')}`;
}

function expectedVersion(
  flag: string,
  field: string,
  given: string | undefined,
  fallback: string | undefined,
): string {
  const value = given ?? fallback;
  if (value === undefined)
    throw new DroverError('input', 'VERSION_MISSING', `${flag}: the expected version is unknown`, {
      hint: `Pass ${flag}, or record the version in the config as ${field}.`,
    });
  const parsed = parseVersion(value);
  if (!parsed.ok)
    throw new DroverError('input', 'VERSION_INVALID', `${flag}: ${parsed.message}`, {
      hint: 'Give a full version such as 1.11.0 (a leading v is allowed).',
    });
  return parsed.version.text;
}
