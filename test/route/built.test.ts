/**
 * The bundle as users run it: `node scripts/build.mjs` once (into a private directory, so other
 * builds of dist/ do not race with it), then the CLI and the Action entry as child processes
 * against real git repositories. Proves the HCL parser's wasm ships and is found at run time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingProgram } from '../helpers/programs.js';
import { GitFixture, variablesTf } from './git-fixture.js';
import { parseGitHubOutputs } from './github-outputs.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const noGit = missingProgram('git', ['--version']);
const FILE = 'terraform/variables.tf';

describe.skipIf(noGit)('the built CLI and Action', () => {
  const work = mkdtempSync(join(tmpdir(), 'drover-built-'));
  const out = join(work, 'dist');
  const repos: GitFixture[] = [];

  beforeAll(() => {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DROVER_BUILD_OUTDIR: out },
    });
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
  }, 120_000);
  afterAll(() => {
    repos.forEach((r) => r.cleanup());
    rmSync(work, { recursive: true, force: true });
  });

  const newRepo = () => {
    const repo = GitFixture.create();
    repos.push(repo);
    return repo;
  };
  const run = (
    entry: 'cli.js' | 'action.js',
    args: string[],
    cwd: string,
    env: Record<string, string> = {},
  ) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !k.startsWith('GITHUB_') && !k.startsWith('INPUT_'),
      ),
    );
    return spawnSync(process.execPath, [join(out, entry), ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...clean, ...env },
      timeout: 60_000,
    });
  };

  it('ships the parser assets where the bundled parser looks for them', () => {
    expect(existsSync(join(out, 'main.wasm.gz'))).toBe(true);
    expect(existsSync(join(out, 'wasm', 'bridge_wasm_exec.js'))).toBe(true);
  });

  it('routes a bump with `node dist/cli.js route --json` from another directory', () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('v1.10.8', '1.33.2')).commit('a');
    repo.write(FILE, variablesTf('1.11.0', '1.33.2')).commit('b');
    const result = run('cli.js', ['route', '--repo', repo.dir, '--json'], tmpdir());
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      version_changed: true,
      old_version: '1.10.8',
      new_version: '1.11.0',
      upgrade_type: 'cattle',
      is_downgrade: false,
      hops: ['1.11.0'],
      kubernetes_changed: false,
      kubernetes_upgrade: 'none',
      code: null,
    });
  });

  it('exits 3 with the JSON on a refusal and 2 with an error document on bad input', () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.11.0')).commit('a');
    repo.write(FILE, variablesTf('1.10.8')).commit('b');
    const refused = run('cli.js', ['route', '--json'], repo.dir);
    expect(refused.status).toBe(3);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      upgrade_type: 'refused',
      code: 'DOWNGRADE',
      is_downgrade: true,
    });
    const allowed = run('cli.js', ['route', '--json', '--allow-downgrade'], repo.dir);
    expect(allowed.status).toBe(0);
    expect(JSON.parse(allowed.stdout)).toMatchObject({
      upgrade_type: 'cattle',
      is_downgrade: true,
    });
    const missing = run('cli.js', ['route', '--json', '--base', 'nope'], repo.dir);
    expect(missing.status).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'REVISION_NOT_FOUND' } });
    const usage = run('cli.js', ['route', '--no-such-flag'], repo.dir);
    expect(usage.status).toBe(2);
  });

  it('keeps heavy modules off the start-up path of `route --help`', () => {
    // Everything cli.js loads before any command runs: itself and its static imports, transitively.
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^import[^'"]*from\s*["'](\.[^"']+)["']/gm)) {
        visit(join(dirname(file), match[1] ?? ''));
      }
    };
    visit(join(out, 'cli.js'));
    const startup = [...seen].map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const heavy of ['hcl2json', 'main.wasm.gz', 'client-node', 'client-s3', '@actions/core']) {
      expect(startup).not.toContain(heavy);
    }
  });

  it('teaches with `route --help`', () => {
    const help = run('cli.js', ['route', '--help'], tmpdir());
    expect(help.status).toBe(0);
    for (const text of [
      '--allow-multi-hop',
      '--kubernetes-file',
      'Examples:',
      'Exit codes',
      'fetch-depth: 0',
    ]) {
      expect(help.stdout).toContain(text);
    }
  });

  it('runs the Action entry on a push of three commits and writes outputs and the summary', () => {
    const repo = newRepo();
    const before = repo.write(FILE, variablesTf('1.11.2', '1.33.2')).commit('before');
    repo.write(FILE, variablesTf('1.11.3', '1.34.1')).commit('push 1: bump');
    repo.write('a.md', 'a').commit('push 2');
    const head = repo.write('b.md', 'b').commit('push 3');
    const outputFile = join(work, 'output-1');
    const summaryFile = join(work, 'summary-1');
    const eventFile = join(work, 'event-1.json');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '# earlier step\n');
    writeFileSync(eventFile, JSON.stringify({ before, after: head }));
    const result = run('action.js', [], repo.dir, {
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventFile,
      INPUT_REPO: '.',
      INPUT_FILE: FILE,
      'INPUT_ALLOW-DOWNGRADE': 'false',
    });
    expect(result.status).toBe(0);
    const outputs = parseGitHubOutputs(readFileSync(outputFile, 'utf8'));
    expect(outputs).toMatchObject({
      version_changed: 'true',
      old_version: '1.11.2',
      new_version: '1.11.3',
      upgrade_type: 'pets',
      is_downgrade: 'false',
      hops: '["1.11.3"]',
      kubernetes_changed: 'true',
      old_kubernetes_version: '1.33.2',
      new_kubernetes_version: '1.34.1',
      kubernetes_upgrade: 'kubernetes',
      code: '',
      base_commit: before,
      base_source: 'push-before',
      head_commit: head,
    });
    expect(JSON.parse(outputs.json ?? '{}')).toMatchObject({ upgrade_type: 'pets' });
    const summary = readFileSync(summaryFile, 'utf8');
    expect(summary.startsWith('# earlier step\n')).toBe(true);
    expect(summary).toContain('### Drover route: pets');
    expect(summary).toContain('| Talos | `1.11.2` | `1.11.3` | **pets** |');
    expect(summary).toContain('| Kubernetes | `1.33.2` | `1.34.1` | **kubernetes** |');
  });

  it('fails the Action step with exit 3 on a refusal, still writing outputs', () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.8.3')).commit('a');
    repo.write(FILE, variablesTf('1.11.0')).commit('b');
    const outputFile = join(work, 'output-2');
    const summaryFile = join(work, 'summary-2');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const result = run('action.js', [], repo.dir, {
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: join(work, 'absent-event.json'),
    });
    // An unreadable event file is bad input, not a silent fallback.
    expect(result.status).toBe(2);
    expect(result.stdout).toContain('::error::');

    const refused = run('action.js', [], repo.dir, {
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_NAME: 'workflow_dispatch',
    });
    expect(refused.status).toBe(3);
    expect(refused.stdout).toMatch(/::error::refused \[FORBIDDEN_HOP\]/);
    const outputs = parseGitHubOutputs(readFileSync(outputFile, 'utf8'));
    expect(outputs).toMatchObject({
      upgrade_type: 'refused',
      code: 'FORBIDDEN_HOP',
      hops: '["1.10.9","1.11.0"]',
    });
    expect(readFileSync(summaryFile, 'utf8')).toContain('refused (FORBIDDEN_HOP)');
  });

  it('writes step outputs from the CLI too when GITHUB_OUTPUT is set', () => {
    const repo = newRepo();
    repo.write(FILE, variablesTf('1.10.8')).commit('a');
    repo.write(FILE, variablesTf('1.10.8')).write('x.md', 'x').commit('b');
    const outputFile = join(work, 'output-3');
    writeFileSync(outputFile, '');
    const result = run('cli.js', ['route', '--json'], repo.dir, { GITHUB_OUTPUT: outputFile });
    expect(result.status).toBe(0);
    expect(parseGitHubOutputs(readFileSync(outputFile, 'utf8'))).toMatchObject({
      version_changed: 'false',
      upgrade_type: 'none',
      old_kubernetes_version: '',
    });
  });
});
