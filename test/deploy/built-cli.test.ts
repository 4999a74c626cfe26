/**
 * `drover plan` and `drover init` as users run them: the bundle, as child processes. The bundle
 * is built once into a private directory under .test-report/ (other builds of dist/ must not
 * race with it) that, like dist/, sits inside the package, so init finds deploy/ and schema/
 * by walking up exactly as it does from dist/. (Not under node_modules/: in a worktree whose
 * node_modules is a symlink, the bundle's real path would lie in another checkout.)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const cacheDir = join(root, '.test-report');

describe('the built CLI: plan and init', () => {
  let work: string;
  let cli: string;

  beforeAll(async () => {
    await mkdir(cacheDir, { recursive: true });
    work = mkdtempSync(join(cacheDir, 'drover-built-'));
    const out = join(work, 'dist');
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DROVER_BUILD_OUTDIR: out },
    });
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
    cli = join(out, 'cli.js');
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const drover = (...args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  const droverEnv = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });

  it('every command that reads a config takes it from DROVER_CONFIG when --config is absent', () => {
    const env = {
      DROVER_CONFIG: 'examples/drover.yaml',
      KUBECONFIG: join(root, 'no-such-kubeconfig'),
    };
    const plan = droverEnv(env, 'plan', 'cattle', '--to', '1.11.0', '--json');
    expect(plan.status).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ cluster: 'prox-ops', to: '1.11.0' });
    // upgrade and validate get past option parsing into the config (they stop later, at the
    // cluster, which is not there): never "required option --config".
    for (const args of [['upgrade', 'pets', '--to', '1.10.9', '--dry-run'], ['validate']]) {
      const run = droverEnv(env, ...args);
      expect(run.stderr, args.join(' ')).not.toMatch(/required option/);
      expect(run.stderr).not.toMatch(/CONFIG_NOT_FOUND/);
    }
    const wrong = droverEnv({ DROVER_CONFIG: 'nope.yaml' }, 'plan', 'cattle', '--to', '1.11.0');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/CONFIG_NOT_FOUND|nope\.yaml/);
    // --config wins over the variable.
    const flag = droverEnv(
      { DROVER_CONFIG: 'nope.yaml' },
      'plan',
      'cattle',
      '--config',
      'examples/drover.yaml',
      '--to',
      '1.11.0',
    );
    expect(flag.status).toBe(0);
    const none = drover('plan', 'cattle', '--to', '1.11.0');
    expect(none.status).toBe(2);
    // No --config, no DROVER_CONFIG and no ./drover.yaml: a usage error saying where it looked.
    expect(none.stderr).toMatch(/no --config, no DROVER_CONFIG, and no drover\.yaml/);
  });

  it('plan cattle --json prints one JSON plan covering all 15 nodes', () => {
    const run = drover(
      'plan',
      'cattle',
      '--config',
      'examples/drover.yaml',
      '--to',
      '1.11.0',
      '--json',
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const plan = JSON.parse(run.stdout) as {
      kind: string;
      from: string;
      to: string;
      phases: { units: { node: string }[] }[];
    };
    expect(plan).toMatchObject({ kind: 'cattle', from: '1.10.8', to: '1.11.0' });
    const nodes = plan.phases.flatMap((p) => p.units.map((u) => u.node));
    expect(new Set(nodes).size).toBe(15);
    expect(nodes).toEqual(expect.arrayContaining(['k8s-ctrl-1', 'k8s-work-4', 'k8s-work-12']));
  });

  it('plan prints text without --json', () => {
    const run = drover('plan', 'pets', '--config', 'examples/drover.yaml', '--to', '1.10.9');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^pets upgrade of cluster prox-ops: Talos 1\.10\.8 -> 1\.10\.9/);
  });

  it('plan exits 2 naming the field on bad input, and 3 on a refused route', () => {
    const bad = drover(
      'plan',
      'cattle',
      '--config',
      'examples/drover.yaml',
      '--to',
      'one',
      '--json',
    );
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'VERSION_INVALID' } });
    expect(bad.stderr).toMatch(/--to: /);
    const down = drover('plan', 'cattle', '--config', 'examples/drover.yaml', '--to', '1.9.0');
    expect(down.status).toBe(3);
    expect(down.stderr).toMatch(/DOWNGRADE/);
    const missing = drover('plan', 'cattle', '--config', 'nope.yaml', '--to', '1.11.0');
    expect(missing.status).toBe(2);
  });

  it('runner check exits 1 when the runner needs a bump and 0 when it does not', () => {
    const target = mkdtempSync(join(tmpdir(), 'drover-runner-built-'));
    try {
      mkdirSync(join(target, 'terraform'));
      const dockerfile = join(root, 'deploy/runner/Dockerfile');
      const talosctl = /^ARG TALOSCTL_VERSION=(.*)$/m.exec(readFileSync(dockerfile, 'utf8'))![1]!;
      const write = (talos: string) =>
        writeFileSync(
          join(target, 'terraform/variables.tf'),
          `variable "talos_version" {\n  default = "${talos}"\n}\n`,
        );
      write(talosctl);
      const ok = drover('runner', 'check', '--repo', target, '--dockerfile', dockerfile, '--json');
      expect(ok.status).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ bumpNeeded: false });
      const [major, minor] = talosctl.split('.').map(Number) as [number, number];
      write(`${major}.${minor + 1}.0`);
      const bump = drover('runner', 'check', '--repo', target, '--dockerfile', dockerfile);
      expect(bump.status).toBe(1);
      expect(bump.stdout).toMatch(/bump TALOSCTL_VERSION to /);
      expect(drover('runner', 'check', '--repo', join(target, 'none')).status).toBe(2);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });

  it('status reads the journal a crashed and a failed run left, and says what --resume would do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drover-status-built-'));
    try {
      const journal = join(dir, 'j.jsonl');
      const crash = drover(
        'simulate',
        '--world',
        join(dir, 'w.json'),
        '--journal',
        journal,
        '--crash-after-steps',
        '40',
        '--plain',
      );
      // It kills itself (SIGKILL): spawnSync reports the signal, a shell would say 137.
      expect(crash.signal ?? crash.status).toBe('SIGKILL');
      const status = drover(
        'status',
        '--journal',
        journal,
        '--config',
        'examples/drover.yaml',
        '--json',
      );
      expect(status.status).toBe(0);
      const doc = JSON.parse(status.stdout) as {
        status: {
          state: string;
          kind: string;
          to: string;
          cordoned: string[];
          remaining: { count: number; next: { stepId: string }[] };
        };
        resumeCommand: string;
      };
      expect(doc.status).toMatchObject({ state: 'unfinished', kind: 'cattle', to: '1.11.0' });
      expect(doc.status.remaining.count).toBeGreaterThan(0);
      expect(doc.resumeCommand).toBe(
        `drover upgrade cattle --config examples/drover.yaml --to 1.11.0 --resume --journal ${journal}`,
      );
      // The step --resume runs first is the one status names.
      const next = doc.status.remaining.next[0]!.stepId;
      const text = drover('status', '--journal', journal, '--config', 'examples/drover.yaml');
      expect(text.stdout).toContain(`next: ${next}`);

      const failedJournal = join(dir, 'f.jsonl');
      expect(
        drover(
          'simulate',
          '--scenario',
          'examples/fault-never-ready.yaml',
          '--journal',
          failedJournal,
          '--plain',
        ).status,
      ).toBe(1);
      const failed = drover('status', '--journal', failedJournal);
      expect(failed.status).toBe(0);
      expect(failed.stdout).toMatch(/^state: failed/m);
      expect(failed.stdout).toMatch(/^stopped at: \S+\/wait-ready: .*\[NODE_NOT_READY\]$/m);
      expect(failed.stdout).toMatch(/^cordoned \(per the journal\): \S+/m);
      expect(drover('status', '--journal', join(dir, 'none.jsonl')).status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('init writes an infrastructure repository from the bundle', () => {
    const target = mkdtempSync(join(tmpdir(), 'drover-init-built-'));
    try {
      expect(drover('init', target, '--action', 'acme/drover').status).toBe(2); // not a git checkout
      expect(spawnSync('git', ['init', '-q', target]).status).toBe(0);
      mkdirSync(join(target, 'terraform'));
      writeFileSync(
        join(target, 'terraform/variables.tf'),
        'variable "talos_version" {\n  default = "1.10.8"\n}\n',
      );
      const noSource = drover('init', target);
      expect(noSource.status).toBe(2);
      expect(noSource.stderr).toContain('DROVER_SOURCE_REQUIRED');
      const run = drover('init', target, '--action', 'acme/drover');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/wrote +\.github\/workflows\/drover-upgrade\.yaml/);
      expect(statSync(join(target, 'deploy/runner/provision-vm.sh')).mode & 0o111).not.toBe(0);
      expect(readFileSync(join(target, 'drover.yaml'), 'utf8')).toMatch(/^# yaml-language-server/);
      const again = drover('init', target, '--action', 'acme/drover');
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/skipped +drover\.yaml/);
      const plan = drover(
        'plan',
        'cattle',
        '--config',
        join(target, 'drover.yaml'),
        '--to',
        '1.11.0',
        '--json',
      );
      expect(plan.status).toBe(0);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });
});
