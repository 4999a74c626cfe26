/**
 * Which revisions the router compares, and what it does when something is missing: first
 * commits, merges, pushes of several commits, revisions that do not exist, tfvars overrides,
 * Kubernetes from talhelper's talenv.yaml.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingProgram } from '../helpers/programs.js';
import { GitFixture, variablesTf } from './git-fixture.js';
import { route } from './run.js';

const noGit = missingProgram('git', ['--version']);
const FILE = 'terraform/variables.tf';

describe.skipIf(noGit)('route: revisions and missing things', () => {
  const repos: GitFixture[] = [];
  afterAll(() => repos.forEach((r) => r.cleanup()));
  const newRepo = () => {
    const repo = GitFixture.create();
    repos.push(repo);
    return repo;
  };

  it('treats a variables file absent at base (first commit adding it) as no change', async () => {
    const repo = newRepo();
    repo.write('README.md', 'infra\n').commit('init');
    repo.write(FILE, variablesTf('1.10.8', '1.33.2')).commit('add terraform');
    const run = await route(repo.dir);
    expect(run.exitCode).toBe(0);
    expect(run.document).toMatchObject({
      version_changed: false,
      upgrade_type: 'none',
      old_version: null,
      new_version: '1.10.8',
      kubernetes_upgrade: 'none',
      kubernetes_changed: false,
      new_kubernetes_version: '1.33.2',
    });
    expect(run.document?.reason).toMatch(/first commit/);
  });

  it('treats the repository’s very first commit (no HEAD^) as no change', async () => {
    const repo = newRepo();
    const head = repo.write(FILE, variablesTf('1.10.8')).commit('init');
    const run = await route(repo.dir);
    expect(run.exitCode).toBe(0);
    expect(run.document).toMatchObject({
      upgrade_type: 'none',
      base_source: 'none',
      base_commit: null,
      head_commit: head,
    });
  });

  it('refuses an explicit base that does not exist (exit 2)', async () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.10.8')).commit('init');
    const run = await route(repo.dir, { base: 'does-not-exist' });
    expect(run.exitCode).toBe(2);
    expect(run.error?.code).toBe('REVISION_NOT_FOUND');
    expect(run.error?.message).toContain('"does-not-exist"');
  });

  it('refuses a head that does not exist, and an option-looking revision (exit 2)', async () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.10.8')).commit('init');
    for (const head of ['0123456789abcdef0123456789abcdef01234567', '--output=x']) {
      const run = await route(repo.dir, { head });
      expect(run.exitCode).toBe(2);
      expect(run.error?.code).toBe('REVISION_NOT_FOUND');
    }
  });

  it('says when --repo is missing or not a git repository (exit 2)', async () => {
    const repo = newRepo();
    const missing = await route(join(repo.dir, 'missing-dir'));
    expect(missing.exitCode).toBe(2);
    expect(missing.error?.code).toBe('REPOSITORY_NOT_FOUND');
    const plain = mkdtempSync(join(tmpdir(), 'drover-not-git-'));
    try {
      const notGit = await route(plain);
      expect(notGit.exitCode).toBe(2);
      expect(notGit.error?.code).toBe('NOT_A_GIT_REPOSITORY');
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it('exits 2 when the file is absent at head', async () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.10.8')).commit('init');
    repo.remove(FILE).write('README.md', 'x').commit('drop terraform');
    const run = await route(repo.dir);
    expect(run.exitCode).toBe(2);
    expect(run.error?.code).toBe('FILE_NOT_FOUND');
    expect(run.error?.message).toContain(FILE);
  });

  it('exits 2 when talos_version is absent at head, or has no default', async () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.10.8')).commit('init');
    repo.write(FILE, 'variable "talos_version_new" { default = "1.11.0" }\n').commit('renamed');
    const renamed = await route(repo.dir);
    expect(renamed.exitCode).toBe(2);
    expect(renamed.error?.code).toBe('VARIABLE_NOT_FOUND');
    expect(renamed.error?.message).toContain('"talos_version"');
    repo.write(FILE, 'variable "talos_version" {\n  type = string\n}\n').commit('no default');
    expect((await route(repo.dir)).error?.code).toBe('VARIABLE_NOT_FOUND');
  });

  it('reads other variable names and file paths when told to', async () => {
    const repo = newRepo();
    const tf = (v: string) =>
      `variable "talos" {\n  default = "${v}"\n}\nvariable "k8s" {\n  default = "1.33.1"\n}\n`;
    repo.write('infra/vars.tf', tf('1.10.8')).commit('a');
    repo.write('infra/vars.tf', tf('1.10.9')).commit('b');
    const run = await route(repo.dir, {
      file: 'infra/vars.tf',
      talosVariable: 'talos',
      kubernetesVariable: 'k8s',
    });
    expect(run.document).toMatchObject({
      upgrade_type: 'pets',
      old_kubernetes_version: '1.33.1',
      file: 'infra/vars.tf',
    });
  });

  it('works from a subdirectory given as --repo', async () => {
    const repo = newRepo();
    repo.write('ops/terraform/variables.tf', variablesTf('1.10.8')).commit('a');
    repo.write('ops/terraform/variables.tf', variablesTf('1.10.9')).commit('b');
    const run = await route(join(repo.dir, 'ops'));
    expect(run.document).toMatchObject({ upgrade_type: 'pets' });
  });

  it('compares a merge commit against its first parent', async () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.10.8')).commit('init');
    repo.git('checkout', '-q', '-b', 'renovate/talos');
    repo.write(FILE, variablesTf('1.11.0')).commit('bump talos');
    repo.git('checkout', '-q', 'main');
    repo.write('README.md', 'docs\n').commit('docs on main');
    repo.git('merge', '-q', '--no-ff', '-m', 'merge renovate', 'renovate/talos');
    const run = await route(repo.dir);
    expect(run.document).toMatchObject({
      old_version: '1.10.8',
      new_version: '1.11.0',
      upgrade_type: 'cattle',
    });
  });

  it('exits 2 when Kubernetes is tracked at only one revision', async () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.10.8')).commit('init');
    repo.write(FILE, variablesTf('1.10.8', '1.33.2')).commit('track kubernetes');
    const run = await route(repo.dir);
    expect(run.exitCode).toBe(2);
    expect(run.error?.code).toBe('KUBERNETES_VERSION_PARTIAL');
  });

  it('routes Kubernetes beside Talos, and refuses a skipped minor with the hops (exit 3)', async () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.11.2', '1.32.4')).commit('init');
    repo.write(FILE, variablesTf('1.11.3', '1.34.1')).commit('bump both');
    const run = await route(repo.dir);
    expect(run.exitCode).toBe(3);
    expect(run.document).toMatchObject({
      upgrade_type: 'pets',
      kubernetes_upgrade: 'refused',
      code: 'K8S_SKIPPED_MINOR',
      kubernetes_hops: ['1.33.6', '1.34.1'],
    });
    expect(run.document?.reason).toContain('1.32.4 -> 1.33.6 -> 1.34.1');
  });

  it('prints the JSON document for a refusal too (exit 3)', async () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.8.3')).commit('init');
    repo.write(FILE, variablesTf('1.11.0')).commit('jump');
    const run = await route(repo.dir);
    expect(run.exitCode).toBe(3);
    expect(run.document).toMatchObject({
      upgrade_type: 'refused',
      code: 'FORBIDDEN_HOP',
      hops: ['1.10.9', '1.11.0'],
    });
    const multi = await route(repo.dir, { allowMultiHop: true });
    expect(multi.exitCode).toBe(0);
    // In place through each line (cattle cannot build an intermediate hop's templates).
    expect(multi.document).toMatchObject({ upgrade_type: 'pets', hops: ['1.10.9', '1.11.0'] });
  });

  it('prints a short human summary without --json', async () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.10.8')).commit('init');
    repo.write(FILE, variablesTf('1.10.9')).commit('patch');
    const run = await route(repo.dir, { json: false });
    expect(run.exitCode).toBe(0);
    expect(
      run.stdout.startsWith('route: pets\n  Talos 1.10.8 -> 1.10.9; Kubernetes not tracked\n'),
    ).toBe(true);
  });
});

describe.skipIf(noGit)('route: tfvars override the default, as in Terraform', () => {
  const repos: GitFixture[] = [];
  afterAll(() => repos.forEach((r) => r.cleanup()));
  const repoWith = (files: Record<string, string>[]) => {
    const repo = GitFixture.create();
    repos.push(repo);
    files.forEach((set, i) => {
      for (const [path, text] of Object.entries(set)) repo.write(path, text);
      repo.commit(`c${i}`);
    });
    return repo;
  };

  it('uses terraform.tfvars over the default and warns on disagreement', async () => {
    const repo = repoWith([
      { [FILE]: variablesTf('1.10.8'), 'terraform/terraform.tfvars': 'talos_version = "1.10.8"\n' },
      { 'terraform/terraform.tfvars': '# Renovate bumps this\ntalos_version = "v1.11.0"\n' },
    ]);
    const run = await route(repo.dir);
    expect(run.document).toMatchObject({
      old_version: '1.10.8',
      new_version: '1.11.0',
      upgrade_type: 'cattle',
    });
    expect(run.document?.warnings).toHaveLength(1);
    expect(run.document?.warnings[0]).toMatch(
      /terraform\/terraform\.tfvars:2.*terraform\/variables\.tf:3/,
    );
    expect(run.stderr).toContain('warning: head');
  });

  it('applies *.auto.tfvars after terraform.tfvars, in lexical order', async () => {
    const repo = repoWith([
      { [FILE]: variablesTf('1.10.8') },
      {
        'terraform/terraform.tfvars': 'talos_version = "1.10.9"\n',
        'terraform/a.auto.tfvars': 'talos_version = "1.10.10"\n',
        'terraform/b.auto.tfvars.json': '{ "talos_version": "1.10.11" }\n',
        'terraform/other.tfvars': 'talos_version = "9.9.9"\n',
        'terraform/sub/c.auto.tfvars': 'talos_version = "8.8.8"\n',
      },
    ]);
    const run = await route(repo.dir);
    expect(run.document).toMatchObject({ new_version: '1.10.11', upgrade_type: 'pets' });
  });

  it('does not warn when the tfvars value agrees with the default', async () => {
    const repo = repoWith([
      { [FILE]: variablesTf('1.10.8') },
      {
        [FILE]: variablesTf('1.10.9'),
        'terraform/terraform.tfvars': 'talos_version = "v1.10.9"\n',
      },
    ]);
    const run = await route(repo.dir);
    expect(run.document?.warnings).toEqual([]);
    expect(run.document?.new_version).toBe('1.10.9');
  });

  it('quotes a bad tfvars value with the tfvars file:line', async () => {
    const repo = repoWith([
      { [FILE]: variablesTf('1.10.8') },
      { 'terraform/prod.auto.tfvars': 'region = "x"\n\ntalos_version = "latest"\n' },
    ]);
    const run = await route(repo.dir);
    expect(run.exitCode).toBe(2);
    expect(run.error?.message).toContain('terraform/prod.auto.tfvars:3');
    expect(run.error?.message).toContain('"latest"');
  });
});

describe.skipIf(noGit)('route: Kubernetes from talhelper’s talenv.yaml', () => {
  const repos: GitFixture[] = [];
  afterAll(() => repos.forEach((r) => r.cleanup()));
  const talenv = (k: string) => `# talhelper\ntalosVersion: v1.11.2\nkubernetesVersion: ${k}\n`;

  it('reads --kubernetes-file/--kubernetes-key instead of the HCL variable', async () => {
    const repo = GitFixture.create();
    repos.push(repo);
    repo
      .write(FILE, variablesTf('1.11.2', '1.20.0'))
      .write('talos/talenv.yaml', talenv('v1.33.4'))
      .commit('a');
    repo.write('talos/talenv.yaml', talenv('v1.34.1')).commit('b');
    const run = await route(repo.dir, {
      kubernetesFile: 'talos/talenv.yaml',
      kubernetesKey: 'kubernetesVersion',
    });
    expect(run.document).toMatchObject({
      upgrade_type: 'none',
      kubernetes_changed: true,
      old_kubernetes_version: '1.33.4',
      new_kubernetes_version: '1.34.1',
      kubernetes_upgrade: 'kubernetes',
    });
  });

  it('reports a bad YAML value with its file:line, and a missing file (exit 2)', async () => {
    const repo = GitFixture.create();
    repos.push(repo);
    repo
      .write(FILE, variablesTf('1.11.2'))
      .write('talos/talenv.yaml', talenv('v1.33.4'))
      .commit('a');
    repo.write('talos/talenv.yaml', talenv('latest')).commit('b');
    const bad = await route(repo.dir, { kubernetesFile: 'talos/talenv.yaml' });
    expect(bad.exitCode).toBe(2);
    expect(bad.error?.message).toContain('talos/talenv.yaml:3');
    const missing = await route(repo.dir, { kubernetesFile: 'talos/nope.yaml' });
    expect(missing.error?.code).toBe('FILE_NOT_FOUND');
  });
});

describe.skipIf(noGit)('route: a push of several commits', () => {
  const repos: GitFixture[] = [];
  afterAll(() => repos.forEach((r) => r.cleanup()));

  const pushOfThree = () => {
    const repo = GitFixture.create();
    repos.push(repo);
    const before = repo.write(FILE, variablesTf('1.10.8')).commit('before the push');
    repo.write(FILE, variablesTf('1.10.9')).commit('push 1: the bump');
    repo.write('README.md', 'a\n').commit('push 2');
    repo.write('docs.md', 'b\n').commit('push 3');
    return { repo, before };
  };
  const pushEvent = (repo: GitFixture, before: string) => {
    // Inside .git: outside the work tree, and removed with the repository (beside it, in the
    // temporary directory, it was left behind by every run).
    const path = join(repo.dir, '.git', 'drover-event.json');
    writeFileSync(
      path,
      JSON.stringify({ before, after: repo.git('rev-parse', 'HEAD'), ref: 'refs/heads/main' }),
    );
    return { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: path };
  };

  it('misses the bump with HEAD^ alone (why the push base matters)', async () => {
    const { repo } = pushOfThree();
    expect((await route(repo.dir)).document?.upgrade_type).toBe('none');
  });

  it('finds the bump in the first of three commits through the event’s before', async () => {
    const { repo, before } = pushOfThree();
    const run = await route(repo.dir, { env: pushEvent(repo, before) });
    expect(run.document).toMatchObject({
      upgrade_type: 'pets',
      base_commit: before,
      base_source: 'push-before',
    });
  });

  it('falls back to HEAD^ for a new branch (all-zero before)', async () => {
    const { repo } = pushOfThree();
    const run = await route(repo.dir, { env: pushEvent(repo, '0'.repeat(40)) });
    expect(run.document).toMatchObject({
      upgrade_type: 'none',
      base_source: 'parent',
      base_revision: 'HEAD^',
    });
  });

  it('prefers an explicit --base over the event', async () => {
    const { repo, before } = pushOfThree();
    const run = await route(repo.dir, { base: 'HEAD~1', env: pushEvent(repo, before) });
    expect(run.document).toMatchObject({ upgrade_type: 'none', base_source: 'flag' });
  });

  it('exits 2 when the event’s before is not in the clone (shallow checkout)', async () => {
    const { repo } = pushOfThree();
    const run = await route(repo.dir, { env: pushEvent(repo, 'f'.repeat(40)) });
    expect(run.exitCode).toBe(2);
    expect(run.error?.hint).toContain('fetch-depth: 0');
  });
});
