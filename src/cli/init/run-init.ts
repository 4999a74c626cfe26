/**
 * `drover init [DIR]`: reads the infrastructure repository (variables file, Kubernetes version
 * source, Terraform S3 backend, required variables) and writes a drover.yaml, the router and
 * the reusable upgrade workflow, the actionlint config and the external runner's files, all
 * consistent with what it found. It asks nothing it can read. Existing files are kept unless
 * --force; the summary lists what was written, skipped and created.
 */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { buildPlan } from '../../core/plan-build.js';
import type { UpgradeKind } from '../../core/plan.js';
import { DroverError } from '../../core/errors.js';
import { loadConfig } from '../../app/config/load-config.js';
import { detectRepository } from './detect-repo.js';
import type { RepoFacts } from './detect-repo.js';
import { actionRef, gitContext, resolveDroverSource } from './drover-source.js';
import type { DroverSource } from './drover-source.js';
import { INIT_FILES, SOURCE_PLACEHOLDER, ACTION_PLACEHOLDER } from './init-files.js';
import type { InitFile } from './init-files.js';
import { locatePackageRoot } from './locate-assets.js';
import { jobTimeoutMinutes } from './plan-timeout.js';
import { renderConfig } from './render-config.js';
import { initSummary } from './init-summary.js';
import { renderRouter, renderUpgrade, tfVarSecrets } from './render-workflows.js';
import type { WorkflowChoices } from './render-workflows.js';

export interface InitOptions {
  force?: boolean;
  /** Where Drover is released: OWNER/REPO[@REF] (default ref: v<package version>). */
  action?: string;
  /** The Terraform variables file, relative to DIR (default: found). */
  variablesFile?: string;
  json?: boolean;
  /** Package root holding deploy/ and schema/ (default: located from this module). */
  packageRoot?: string;
}

export interface InitResult {
  dir: string;
  written: string[];
  skipped: string[];
  /** Directories inside DIR that did not exist and were made. */
  created: string[];
  facts: RepoFacts;
  action: string;
  timeoutMinutes: WorkflowChoices['timeoutMinutes'];
  /** Repository secrets the workflows read. */
  secrets: string[];
}

export async function initRepository(
  dirArg: string,
  options: InitOptions = {},
): Promise<InitResult> {
  const dir = resolve(dirArg);
  await checkTarget(dir);
  const root = options.packageRoot ?? locatePackageRoot();
  const source = resolveDroverSource(options.action, root);
  const facts = await detectRepository(dir, options.variablesFile);
  const result: InitResult = {
    dir,
    written: [],
    skipped: [],
    created: [],
    facts,
    action: actionRef(source),
    timeoutMinutes: { cattle: 0, pets: 0, kubernetes: 0 },
    secrets: secretsFor(facts),
  };
  const [configFile, ...rest] = INIT_FILES;
  // The config first: the workflows' timeouts come from the plans of the config in place.
  await writeOne(configFile!, dir, root, options, result, (t) => renderConfig(t, facts));
  result.timeoutMinutes = await timeouts(join(dir, configFile!.to), facts);
  const choices: WorkflowChoices = {
    facts,
    action: result.action,
    timeoutMinutes: result.timeoutMinutes,
  };
  for (const file of rest)
    await writeOne(file, dir, root, options, result, (t) => render(file, t, choices, source));
  return result;
}

async function checkTarget(dir: string): Promise<void> {
  const existing = await stat(dir).catch(() => undefined);
  if (existing === undefined) {
    throw new DroverError('input', 'INIT_DIR_MISSING', `${dir} does not exist`, {
      hint: 'Give the root of your infrastructure repository (a git checkout); init creates no parent directories.',
    });
  }
  if (!existing.isDirectory()) {
    throw new DroverError('input', 'INIT_NOT_A_DIRECTORY', `${dir} is not a directory`, {
      hint: 'Give the root of your infrastructure repository.',
    });
  }
  if ((await stat(join(dir, '.git')).catch(() => undefined)) === undefined) {
    throw new DroverError(
      'input',
      'INIT_NOT_A_GIT_REPOSITORY',
      `${dir} is not the root of a git repository`,
      {
        hint: 'The router compares git revisions: run init at the top of your infrastructure repository checkout.',
      },
    );
  }
}

function render(
  file: InitFile,
  text: string,
  choices: WorkflowChoices,
  source: DroverSource,
): string {
  switch (file.render) {
    case 'router':
      return renderRouter(text, choices);
    case 'upgrade':
      return renderUpgrade(text, choices);
    case 'compose':
      return text.replace(SOURCE_PLACEHOLDER, `drover-source: ${gitContext(source)}`);
    default:
      return text;
  }
}

async function writeOne(
  file: InitFile,
  dir: string,
  root: string,
  options: InitOptions,
  result: InitResult,
  transform: (text: string) => string,
): Promise<void> {
  const target = join(dir, file.to);
  if (!options.force && (await stat(target).catch(() => undefined)) !== undefined) {
    result.skipped.push(file.to);
    return;
  }
  const content = transform(await readFile(join(root, file.from), 'utf8'));
  if (content.includes(ACTION_PLACEHOLDER))
    throw new Error(`${file.to}: placeholder left unreplaced`);
  const parent = dirname(target);
  if ((await stat(parent).catch(() => undefined)) === undefined) {
    await mkdir(parent, { recursive: true });
    result.created.push(dirname(file.to));
  }
  await writeFile(target, content, { mode: file.mode });
  await chmod(target, file.mode); // writeFile keeps the mode of a file it overwrites
  result.written.push(file.to);
}

/** Each kind's job timeout from its plan over the config's nodes and policy. */
async function timeouts(
  configFile: string,
  facts: RepoFacts,
): Promise<InitResult['timeoutMinutes']> {
  const loaded = await loadConfig(configFile);
  const [major, minor, patch] = facts.talosVersion.split('.').map(Number) as [
    number,
    number,
    number,
  ];
  const kube = facts.kubernetes.source === 'none' ? '1.33.0' : facts.kubernetes.version;
  const [kMajor, kMinor] = kube.split('.').map(Number) as [number, number];
  const nextKube = `${kMajor}.${kMinor + 1}.0`;
  const plan = (kind: UpgradeKind, to: string) =>
    buildPlan(kind, {
      inventory: loaded.inventory,
      policy: loaded.policy,
      from: facts.talosVersion,
      to,
      kubernetes: kind === 'kubernetes' ? { from: kube, to: nextKube } : { from: kube, to: kube },
    });
  const lock = { lockTtlSeconds: loaded.config.lock.ttlSeconds };
  return {
    cattle: jobTimeoutMinutes(plan('cattle', `${major}.${minor + 1}.0`), lock),
    pets: jobTimeoutMinutes(plan('pets', `${major}.${minor}.${patch + 1}`), lock),
    kubernetes: jobTimeoutMinutes(plan('kubernetes', facts.talosVersion), lock),
  };
}

function secretsFor(facts: RepoFacts): string[] {
  return [
    'KUBECONFIG_B64',
    'TALOSCONFIG_B64',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'PROXMOX_VE_ENDPOINT',
    'PROXMOX_VE_API_TOKEN',
    'SOPS_AGE_KEY',
    'TALOS_WORKER_CONFIG_B64',
    ...tfVarSecrets(facts).map((s) => s.secret),
  ];
}

export async function runInitCommand(
  dir: string | undefined,
  options: InitOptions,
): Promise<number> {
  const result = await initRepository(dir ?? '.', options);
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(initSummary(result));
  return 0;
}
