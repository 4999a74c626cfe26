import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runnerCheck, runnerCheckText } from './run-runner-check.js';
import { checkRunnerTools, terraformRange } from './runner-check.js';

const args = (talosctl: string, kubectl: string, terraform = '1.11.4') => ({
  TALOSCTL_VERSION: talosctl,
  KUBECTL_VERSION: kubectl,
  TERRAFORM_VERSION: terraform,
});
const verdicts = (findings: { tool: string; ok: boolean }[]) =>
  Object.fromEntries(findings.map((f) => [f.tool, f.ok]));

describe('runner tools against what the cluster needs', () => {
  it('talosctl must be on the Talos line of the cluster and not older', () => {
    const needs = { talos: '1.11.0' };
    expect(verdicts(checkRunnerTools(args('1.11.5', '1.34.2'), needs))).toEqual({ talosctl: true });
    expect(verdicts(checkRunnerTools(args('1.11.0', '1.34.2'), needs))).toEqual({ talosctl: true });
    // A Renovate bump to 1.11 landed; the runner still has 1.10.
    const old = checkRunnerTools(args('1.10.8', '1.34.2'), needs);
    expect(old[0]).toMatchObject({ ok: false, arg: 'TALOSCTL_VERSION', advice: '1.11.0' });
    expect(verdicts(checkRunnerTools(args('1.12.0', '1.34.2'), needs))).toEqual({
      talosctl: false,
    });
    expect(verdicts(checkRunnerTools(args('1.11.5', '1.34.2'), { talos: '1.11.6' }))).toEqual({
      talosctl: false,
    });
  });

  it('kubectl within one minor of Kubernetes', () => {
    const check = (kubectl: string) =>
      verdicts(checkRunnerTools(args('1.11.5', kubectl), { talos: '1.11.0', kubernetes: '1.34.1' }))
        .kubectl;
    expect(check('1.34.2')).toBe(true);
    expect(check('1.33.0')).toBe(true);
    expect(check('1.35.0')).toBe(true);
    expect(check('1.32.9')).toBe(false);
    expect(check('1.36.0')).toBe(false);
  });

  it('terraform inside required_version, in Terraform constraint syntax', () => {
    expect(terraformRange('>= 1.6.0')).toBe('>=1.6.0');
    expect(terraformRange('~> 1.6')).toBe('>=1.6.0 <2.0.0');
    expect(terraformRange('~> 1.6.2')).toBe('>=1.6.2 <1.7.0');
    expect(terraformRange('>= 1.5, < 1.10')).toBe('>=1.5.0 <1.10.0');
    expect(terraformRange('!= 1.7.0')).toBeNull();
    const check = (constraint: string) =>
      checkRunnerTools(args('1.11.5', '1.34.2'), {
        talos: '1.11.0',
        terraformConstraint: constraint,
      })[1]!;
    expect(check('~> 1.11.0').ok).toBe(true);
    expect(check('~> 1.6.0')).toMatchObject({ ok: false, advice: 'a version matching ~> 1.6.0' });
    expect(check('!= 1.7.0')).toMatchObject({ ok: false });
    expect(check('!= 1.7.0').advice).toMatch(/check by hand/);
  });
});

describe('drover runner check on a repository', () => {
  it('reads the Dockerfile ARGs and variables.tf, and says what to bump', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-runner-check-'));
    await mkdir(join(dir, 'terraform'));
    await mkdir(join(dir, 'deploy/runner'), { recursive: true });
    const dockerfile = await readFile(
      new URL('../../../deploy/runner/Dockerfile', import.meta.url),
      'utf8',
    );
    await writeFile(join(dir, 'deploy/runner/Dockerfile'), dockerfile);
    const tf = (talos: string, k8s: string) =>
      `terraform {\n  required_version = ">= 1.6.0"\n}\nvariable "talos_version" {\n  default = "${talos}"\n}\nvariable "kubernetes_version" {\n  default = "${k8s}"\n}\n`;
    const talosctl = /^ARG TALOSCTL_VERSION=(.*)$/m.exec(dockerfile)![1]!;
    const kubectl = /^ARG KUBECTL_VERSION=(.*)$/m.exec(dockerfile)![1]!;

    await writeFile(join(dir, 'terraform/variables.tf'), tf(talosctl, kubectl));
    const fine = await runnerCheck({ repo: dir });
    expect(fine.bumpNeeded).toBe(false);
    expect(fine.findings.map((f) => f.tool)).toEqual(['talosctl', 'kubectl', 'terraform']);

    const [major, minor] = talosctl.split('.').map(Number) as [number, number];
    const next = `${major}.${minor + 1}.0`;
    await writeFile(join(dir, 'terraform/variables.tf'), tf(next, kubectl));
    const bump = await runnerCheck({ repo: dir });
    expect(bump.bumpNeeded).toBe(true);
    expect(runnerCheckText(bump)).toContain(`bump TALOSCTL_VERSION to ${next}`);
    await expect(runnerCheck({ repo: dir, dockerfile: 'nope' })).rejects.toMatchObject({
      code: 'DOCKERFILE_NOT_FOUND',
    });
  });
});
