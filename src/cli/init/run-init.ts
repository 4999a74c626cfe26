/**
 * `drover init [DIR]`: writes the starter config, the four workflows, the actionlint config and
 * the external runner's files into an infrastructure repository. Existing files are kept
 * unless --force; the summary lists what was written and what was skipped.
 */
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DroverError } from '../../core/errors.js';
import { ACTION_PLACEHOLDER, INIT_FILES } from './init-files.js';
import { locatePackageRoot } from './locate-assets.js';

export interface InitOptions {
  force?: boolean;
  /** Where the route action is published (owner/repo@ref), replacing the placeholder. */
  action?: string;
  json?: boolean;
  /** Package root holding deploy/ and schema/ (default: located from this module). */
  packageRoot?: string;
}

export interface InitResult {
  dir: string;
  written: string[];
  skipped: string[];
}

const ACTION_REF = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_./-]+$/;

export async function initRepository(
  dirArg: string,
  options: InitOptions = {},
): Promise<InitResult> {
  if (options.action !== undefined && !ACTION_REF.test(options.action)) {
    throw new DroverError(
      'usage',
      'ACTION_REF_INVALID',
      `--action: "${options.action}" is not owner/repo@ref`,
      {
        hint: 'Example: --action my-org/drover@v1',
      },
    );
  }
  const dir = resolve(dirArg);
  const existing = await stat(dir).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new DroverError('input', 'INIT_NOT_A_DIRECTORY', `${dir} is not a directory`, {
      hint: 'Give the root of your infrastructure repository.',
    });
  }
  const root = options.packageRoot ?? locatePackageRoot();
  const result: InitResult = { dir, written: [], skipped: [] };
  for (const file of INIT_FILES) {
    const target = join(dir, file.to);
    if (!options.force && (await stat(target).catch(() => undefined)) !== undefined) {
      result.skipped.push(file.to);
      continue;
    }
    let content = await readFile(join(root, file.from), 'utf8');
    if (options.action !== undefined)
      content = content.replaceAll(ACTION_PLACEHOLDER, options.action);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content, { mode: file.mode });
    await chmod(target, file.mode); // writeFile keeps the mode of a file it overwrites
    result.written.push(file.to);
  }
  return result;
}

export function initSummary(result: InitResult, options: InitOptions): string {
  const lines = [`drover init: ${result.dir}`];
  for (const f of result.written) lines.push(`  wrote    ${f}`);
  for (const f of result.skipped) lines.push(`  skipped  ${f} (exists; --force overwrites)`);
  lines.push(
    '',
    'Next steps:',
    '  1. Describe your cluster in drover.yaml, then check it: drover plan cattle --config drover.yaml --to <version>',
    ...(options.action === undefined
      ? [
          `  2. In .github/workflows/talos-version-router.yaml, replace ${ACTION_PLACEHOLDER} with where Drover's action is published (or run init again with --action OWNER/REPO@REF --force).`,
        ]
      : ['  2. The router uses the action ' + options.action + '.']),
    '  3. Provision the runner VM and start the runner: deploy/runner/README.md.',
    '  4. Add the repository secrets the upgrade workflows read: KUBECONFIG_B64, TALOSCONFIG_B64,',
    '     AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, SOPS_AGE_KEY and the machine-config variables named in drover.yaml.',
    '  5. Commit, then try a dry run: Actions -> "Upgrade Talos (cattle: replace VMs)" -> Run, dry-run checked.',
  );
  return `${lines.join('\n')}\n`;
}

export async function runInitCommand(
  dir: string | undefined,
  options: InitOptions,
): Promise<number> {
  const result = await initRepository(dir ?? '.', options);
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(initSummary(result, options));
  return 0;
}
