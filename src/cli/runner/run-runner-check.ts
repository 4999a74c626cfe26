/**
 * `drover runner check`: the quarterly runner maintenance as one command. Reads the runner's
 * Dockerfile and the infrastructure repository's pinned versions, prints what to bump, and
 * exits 1 when the image must be rebuilt first (0 when it carries what the cluster needs).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DroverError } from '../../core/errors.js';
import { detectRepository } from '../init/detect-repo.js';
import { checkRunnerTools, readDockerfileArgs } from './runner-check.js';
import type { ToolFinding } from './runner-check.js';

export interface RunnerCheckOptions {
  repo: string;
  dockerfile?: string;
  variablesFile?: string;
  json?: boolean;
}

export interface RunnerCheckResult {
  dockerfile: string;
  findings: ToolFinding[];
  bumpNeeded: boolean;
}

export async function runnerCheck(options: RunnerCheckOptions): Promise<RunnerCheckResult> {
  const repo = resolve(options.repo);
  const dockerfile = resolve(repo, options.dockerfile ?? join('deploy', 'runner', 'Dockerfile'));
  const text = await readFile(dockerfile, 'utf8').catch(() => {
    throw new DroverError('input', 'DOCKERFILE_NOT_FOUND', `cannot read ${dockerfile}`, {
      hint: 'Give --dockerfile PATH, or run in the repository `drover init` wrote deploy/runner/ into.',
    });
  });
  const facts = await detectRepository(repo, options.variablesFile);
  const findings = checkRunnerTools(readDockerfileArgs(text), {
    talos: facts.talosVersion,
    ...(facts.kubernetes.source === 'none' ? {} : { kubernetes: facts.kubernetes.version }),
    ...(facts.terraformRequiredVersion === undefined
      ? {}
      : { terraformConstraint: facts.terraformRequiredVersion }),
  });
  return { dockerfile, findings, bumpNeeded: findings.some((f) => !f.ok) };
}

export function runnerCheckText(result: RunnerCheckResult): string {
  const lines = [`runner image: ${result.dockerfile}`];
  for (const f of result.findings) {
    const verdict = f.ok ? 'ok' : `bump ${f.arg} to ${f.advice ?? '?'}`;
    lines.push(
      `  ${f.tool.padEnd(10)} runner ${String(f.runner ?? 'unset').padEnd(10)} needs ${f.needs}: ${verdict}`,
    );
  }
  lines.push(
    result.bumpNeeded
      ? 'Bump the ARGs above, run ./update-checksums.sh, rebuild and restart the runner (deploy/runner/README.md).'
      : 'The runner carries what the cluster needs.',
  );
  return `${lines.join('\n')}\n`;
}

export async function runRunnerCheckCommand(options: RunnerCheckOptions): Promise<number> {
  const result = await runnerCheck(options);
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(runnerCheckText(result));
  return result.bumpNeeded ? 1 : 0;
}
