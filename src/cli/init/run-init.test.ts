import { mkdtemp, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../app/config/load-config.js';
import { runPlanCommand } from '../plan/run-plan-command.js';
import { ACTION_PLACEHOLDER, INIT_FILES, ROUTER_WORKFLOW, UPGRADE_WORKFLOW } from './init-files.js';
import { locatePackageRoot } from './locate-assets.js';
import { initSummary } from './init-summary.js';
import { initRepository } from './run-init.js';

const ACTION = 'acme/drover';
const VARIABLES = `variable "talos_version" {
  type    = string
  default = "1.10.8"
}

variable "proxmox_api_token" {
  type      = string
  sensitive = true
}
`;
const BACKEND = `terraform {
  backend "s3" {
    bucket         = "prox-ops-tfstate"
    key            = "prox-ops/terraform.tfstate"
    region         = "us-east-1"
    endpoints      = { s3 = "https://s3.example.test" }
    use_path_style = true
  }
}
`;

/** An empty git checkout (init only needs .git to be there) with the files given. */
async function repo(files: Record<string, string> = {}, git = true): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'drover-init-'));
  if (git) await mkdir(join(dir, '.git'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}
const infra = (extra: Record<string, string> = {}) =>
  repo({ 'terraform/variables.tf': VARIABLES, 'terraform/backend.tf': BACKEND, ...extra });

type Router = {
  on: { push: { paths: string[] } };
  jobs: Record<
    string,
    {
      steps?: { id?: string; uses?: string; with?: Record<string, string> }[];
      secrets?: Record<string, string>;
    }
  >;
};
const read = async (dir: string, file: string) => readFile(join(dir, file), 'utf8');

describe('drover init', () => {
  it('finds the package root from the sources', () => {
    expect(locatePackageRoot()).toBe(
      new URL('../../../', import.meta.url).pathname.replace(/\/$/, ''),
    );
  });

  it('writes every file, scripts executable, and lists the directories it made', async () => {
    const dir = await infra();
    const result = await initRepository(dir, { action: ACTION });
    expect(result.skipped).toEqual([]);
    expect(result.written).toEqual(INIT_FILES.map((f) => f.to));
    expect(result.created).toEqual(
      expect.arrayContaining(['.github/workflows', 'deploy/runner', '.drover']),
    );
    expect((await stat(join(dir, 'deploy/runner/provision-vm.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(dir, 'deploy/runner/runner-health.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(dir, 'deploy/runner/compose.yaml'))).mode & 0o777).toBe(0o644);
    expect(await read(dir, 'deploy/runner/.gitignore')).toMatch(/^\.env$/m);
  });

  it('refuses a missing directory without creating it, a file, and a directory that is not a git checkout', async () => {
    const parent = await repo();
    const missing = join(parent, 'no', 'such');
    await expect(initRepository(missing, { action: ACTION })).rejects.toMatchObject({
      code: 'INIT_DIR_MISSING',
      category: 'input',
    });
    await expect(stat(join(parent, 'no'))).rejects.toThrow();
    await writeFile(join(parent, 'file'), 'x');
    await expect(initRepository(join(parent, 'file'), { action: ACTION })).rejects.toMatchObject({
      code: 'INIT_NOT_A_DIRECTORY',
    });
    const plain = await repo({ 'terraform/variables.tf': VARIABLES }, false);
    await expect(initRepository(plain, { action: ACTION })).rejects.toMatchObject({
      code: 'INIT_NOT_A_GIT_REPOSITORY',
      category: 'input',
    });
    await expect(stat(join(plain, 'drover.yaml'))).rejects.toThrow();
  });

  it('refuses a repository without a variables file or without talos_version', async () => {
    await expect(initRepository(await repo(), { action: ACTION })).rejects.toMatchObject({
      code: 'INIT_VARIABLES_NOT_FOUND',
    });
    const noTalos = await repo({ 'terraform/variables.tf': 'variable "x" {}\n' });
    await expect(initRepository(noTalos, { action: ACTION })).rejects.toMatchObject({
      code: 'INIT_TALOS_VERSION_NOT_FOUND',
    });
  });

  it('writes the versions, the Terraform directory and the S3 backend it found into drover.yaml', async () => {
    const dir = await infra({
      'talos/talenv.yaml': 'talosVersion: v1.10.8\nkubernetesVersion: v1.33.5\n',
    });
    await initRepository(dir, { action: ACTION });
    const loaded = await loadConfig(join(dir, 'drover.yaml'));
    expect(loaded.config.versions).toEqual({ talos: '1.10.8', kubernetes: '1.33.5' });
    expect(loaded.config.backup.s3).toEqual({
      bucket: 'prox-ops-tfstate',
      prefix: 'drover',
      region: 'us-east-1',
      endpoint: 'https://s3.example.test',
      forcePathStyle: true,
    });
    expect(loaded.config.journal.s3).toBe(true);
    const text = await read(dir, 'drover.yaml');
    expect(/\$schema=(\S+)/.exec(text)?.[1]).toBe('.drover/drover.schema.json');
  });

  it('without an S3 backend leaves backup.s3 unset and says a cattle upgrade needs it', async () => {
    const dir = await repo({ 'terraform/variables.tf': VARIABLES });
    const result = await initRepository(dir, { action: ACTION });
    const loaded = await loadConfig(join(dir, 'drover.yaml'));
    expect(loaded.config.backup.s3).toBeUndefined();
    expect(loaded.config.journal.s3).toBe(false);
    expect(initSummary(result)).toMatch(/no S3 backend: set backup\.s3/);
  });

  it('routes Kubernetes from talenv.yaml when that is where it lives', async () => {
    const dir = await infra({ 'talos/talenv.yaml': 'kubernetesVersion: v1.33.5\n' });
    await initRepository(dir, { action: ACTION });
    const router = parse(await read(dir, ROUTER_WORKFLOW)) as Router;
    expect(router.on.push.paths).toEqual(['terraform/variables.tf', 'talos/talenv.yaml']);
    const route = router.jobs.route!.steps!.find((s) => s.id === 'route')!;
    expect(route.with).toMatchObject({
      file: 'terraform/variables.tf',
      'kubernetes-file': 'talos/talenv.yaml',
      'kubernetes-key': 'kubernetesVersion',
    });
    expect(router.jobs).toHaveProperty('kubernetes');
  });

  it('with no Kubernetes version anywhere: no Kubernetes input, no Kubernetes job, no talenv path', async () => {
    const dir = await infra();
    const result = await initRepository(dir, { action: ACTION });
    expect(result.facts.kubernetes).toEqual({ source: 'none' });
    const text = await read(dir, ROUTER_WORKFLOW);
    expect(text).not.toContain('talenv');
    const router = parse(text) as Router;
    expect(router.on.push.paths).toEqual(['terraform/variables.tf']);
    const route = router.jobs.route!.steps!.find((s) => s.id === 'route')!;
    expect(Object.keys(route.with!)).not.toContain('kubernetes-file');
    expect(router.jobs).not.toHaveProperty('kubernetes');
    expect((await loadConfig(join(dir, 'drover.yaml'))).config.versions.kubernetes).toBeUndefined();
  });

  it('reads kubernetes_version from the variables file when it is declared there', async () => {
    const dir = await infra({
      'terraform/variables.tf': `${VARIABLES}\nvariable "kubernetes_version" {\n  default = "v1.33.5"\n}\n`,
      'talos/talenv.yaml': 'kubernetesVersion: v1.30.0\n',
    });
    const result = await initRepository(dir, { action: ACTION });
    expect(result.facts.kubernetes).toEqual({ source: 'variables', version: '1.33.5' });
    expect(await read(dir, ROUTER_WORKFLOW)).not.toContain('kubernetes-file');
  });

  it('runs the action from the release tag of this version, never the placeholder', async () => {
    const dir = await infra();
    const result = await initRepository(dir, { action: ACTION });
    const version = (
      JSON.parse(await read(locatePackageRoot(), 'package.json')) as { version: string }
    ).version;
    expect(result.action).toBe(`acme/drover@v${version}`);
    const router = await read(dir, ROUTER_WORKFLOW);
    expect(router).toContain(`uses: acme/drover@v${version}`);
    expect(router).not.toContain(ACTION_PLACEHOLDER);
    // The runner image builds the very same tag.
    expect(await read(dir, 'deploy/runner/compose.yaml')).toContain(
      `drover-source: https://github.com/acme/drover.git#v${version}`,
    );
    await initRepository(await infra(), { action: 'acme/drover@v9.9.9' }).then((r) =>
      expect(r.action).toBe('acme/drover@v9.9.9'),
    );
  });

  it('refuses to guess where Drover is released, and rejects a malformed reference', async () => {
    await expect(initRepository(await infra())).rejects.toMatchObject({
      category: 'usage',
      code: 'DROVER_SOURCE_REQUIRED',
    });
    await expect(initRepository(await infra(), { action: 'not a ref' })).rejects.toMatchObject({
      category: 'usage',
      code: 'ACTION_REF_INVALID',
    });
  });

  it('passes required Terraform variables to the cattle kind only, as TF_VAR_ secrets', async () => {
    const dir = await infra();
    await initRepository(dir, { action: ACTION });
    const router = parse(await read(dir, ROUTER_WORKFLOW)) as Router;
    expect(router.jobs.cattle!.secrets).toMatchObject({
      TF_VAR_PROXMOX_API_TOKEN: '${{ secrets.TF_VAR_PROXMOX_API_TOKEN }}',
    });
    expect(router.jobs.pets!.secrets).not.toHaveProperty('TF_VAR_PROXMOX_API_TOKEN');
    const upgrade = parse(await read(dir, UPGRADE_WORKFLOW)) as {
      on: { workflow_call: { secrets: Record<string, unknown> } };
      jobs: { upgrade: { steps: { id?: string; env?: Record<string, string> }[] } };
    };
    expect(upgrade.on.workflow_call.secrets).toHaveProperty('TF_VAR_PROXMOX_API_TOKEN');
    const step = upgrade.jobs.upgrade.steps.find((s) => s.id === 'upgrade')!;
    expect(step.env!.TF_VAR_proxmox_api_token).toBe(
      "${{ inputs.kind == 'cattle' && secrets.TF_VAR_PROXMOX_API_TOKEN || '' }}",
    );
  });

  it('writes per-cluster concurrency groups and timeouts from the plans', async () => {
    const dir = await infra({
      'terraform/variables.tf': `${VARIABLES}\nvariable "cluster_name" {\n  default = "Prox Ops"\n}\n`,
    });
    const result = await initRepository(dir, { action: ACTION });
    expect(result.facts.clusterName).toBe('prox-ops');
    const upgrade = parse(await read(dir, UPGRADE_WORKFLOW)) as {
      jobs: {
        upgrade: { concurrency: unknown; 'timeout-minutes': string };
        'report-failure': { env: Record<string, string> };
      };
    };
    expect(upgrade.jobs['report-failure'].env.CLUSTER).toBe('prox-ops');
    expect(upgrade.jobs.upgrade.concurrency).toEqual({
      group: 'drover-upgrade-prox-ops',
      'cancel-in-progress': false,
    });
    const t = result.timeoutMinutes;
    expect(upgrade.jobs.upgrade['timeout-minutes']).toBe(
      `\${{ inputs.kind == 'cattle' && ${t.cattle} || inputs.kind == 'pets' && ${t.pets} || ${t.kubernetes} }}`,
    );
    // The same figure `drover plan --json` prints as the upper bound of the init'd config.
    for (const [kind, to] of [
      ['cattle', '1.11.0'],
      ['pets', '1.10.9'],
    ] as const) {
      let json = '';
      await runPlanCommand(
        kind,
        { config: join(dir, 'drover.yaml'), to, json: true },
        { stdout: (text) => void (json += text), stderr: () => undefined },
      );
      const { upperBoundSeconds } = JSON.parse(json) as { upperBoundSeconds: number };
      expect(t[kind]).toBe(Math.max(30, Math.ceil(upperBoundSeconds / 60)));
    }
    // Six starter nodes: replacing them all cannot be bounded by less than pets or kubernetes.
    expect(t.cattle).toBeGreaterThan(t.pets);
    expect(t.pets).toBeGreaterThan(t.kubernetes);
    const router = parse(await read(dir, ROUTER_WORKFLOW)) as {
      jobs: { route: { concurrency: unknown } };
    };
    expect(router.jobs.route.concurrency).toEqual({
      group: 'drover-route-prox-ops',
      'cancel-in-progress': false,
    });
  });

  it('keeps existing files and lists them, unless --force', async () => {
    const dir = await infra();
    await initRepository(dir, { action: ACTION });
    const config = await read(dir, 'drover.yaml');
    await writeFile(join(dir, 'drover.yaml'), config.replace('cluster: ', 'cluster: mine-'));
    const again = await initRepository(dir, { action: ACTION });
    expect(again.written).toEqual([]);
    expect(again.skipped).toHaveLength(INIT_FILES.length);
    expect(initSummary(again)).toMatch(/skipped +drover\.yaml \(exists; --force overwrites\)/);
    const forced = await initRepository(dir, { action: ACTION, force: true });
    expect(forced.written).toHaveLength(INIT_FILES.length);
    expect(await read(dir, 'drover.yaml')).toBe(config);
  });
});
