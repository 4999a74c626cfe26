/**
 * Against the real terraform binary and a plugin-free fixture shaped like the reference cluster
 * (test/fixtures/terraform/proxmox-like). One `init` + baseline apply per file; tests run in order.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import { Redactor } from '../../core/redact.js';
import { missingProgram } from '../../../test/helpers/programs.js';
import type { TerraformProgress } from './json-stream.js';
import { assertPlanScope } from '../../engine/scope-check.js';
import { TerraformAdapter } from './terraform-adapter.js';

const FIXTURE = resolve(import.meta.dirname, '../../../test/fixtures/terraform/proxmox-like');
const skip = missingProgram('terraform');
const WORK1 = 'module.worker_nodes["k8s-work-1"]';
const WORK2 = 'module.worker_nodes["k8s-work-2"]';

describe.skipIf(skip !== undefined)('TerraformAdapter (real terraform)', () => {
  let dir: string;
  let env: Record<string, string>;
  let adapter: TerraformAdapter;
  const events: TerraformProgress[] = [];

  const terraform = (...args: string[]) => {
    const r = spawnSync('terraform', args, {
      cwd: dir,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`terraform ${args.join(' ')}: ${r.stderr}`);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'drover-tf-test-'));
    await cp(FIXTURE, dir, { recursive: true });
    await writeFile(join(dir, 'empty.tfrc'), '');
    env = { TF_CLI_CONFIG_FILE: join(dir, 'empty.tfrc'), CHECKPOINT_DISABLE: '1' };
    terraform('init', '-input=false', '-no-color');
    terraform('apply', '-auto-approve', '-input=false', '-no-color');
    adapter = new TerraformAdapter({
      workingDir: dir,
      lockTimeout: '0s',
      redactor: new Redactor(),
      env,
      onProgress: (e) => events.push(e),
      vmResourceTypes: ['terraform_data.vm'],
    });
  });
  afterAll(async () => {
    await adapter?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists every resource of the state, walking child modules', async () => {
    const resources = await adapter.listResources();
    expect(resources).toHaveLength(2 + (3 + 6) * 4);
    expect(resources).toContain(`${WORK1}.terraform_data.vm`);
    expect(resources).toContain(`${WORK1}.terraform_data.cloud_init`);
    expect(resources).toContain(`${WORK1}.terraform_data.bootstrap`);
    expect(resources).toContain('module.template_thor_gpu.terraform_data.template');
  });

  it('expands a module instance into its VM resources only, never a sibling with a longer key', async () => {
    expect(await adapter.expandReplace([WORK1])).toEqual([`${WORK1}.terraform_data.vm`]);
    expect(await adapter.expandReplace([WORK1], undefined, 'all')).toEqual([
      `${WORK1}.terraform_data.bootstrap`,
      `${WORK1}.terraform_data.cloud_init`,
      `${WORK1}.terraform_data.config_apply`,
      `${WORK1}.terraform_data.vm`,
    ]);
    expect(await adapter.expandReplace(['module.worker_nodes["k8s-work-99"]'])).toEqual([]);
  });

  it('reads the template version from the template resource', async () => {
    expect(await adapter.templateVersion('module.template_baldar_base')).toBe('1.10.8');
    expect(await adapter.templateVersion('module.template_nowhere')).toBeUndefined();
  });

  it('pulls the state with its serial and lineage', async () => {
    const state = await adapter.pullState();
    expect(state.serial).toBeGreaterThan(0);
    expect(state.lineage).toMatch(/^[0-9a-f-]{36}$/);
    const parsed = JSON.parse(Buffer.from(state.bytes).toString('utf8')) as { lineage: string };
    expect(parsed.lineage).toBe(state.lineage);
  });

  it('replaces exactly one node: plan, apply, new ids, others untouched', async () => {
    const before = await adapter.resourceIds([
      WORK1,
      WORK2,
      'module.control_plane_nodes["k8s-ctrl-1"]',
    ]);
    expect(before[WORK1]).toMatch(/^([0-9a-f-]{36},){3}[0-9a-f-]{36}$/);
    const serialBefore = (await adapter.pullState()).serial;

    const plan = await adapter.plan({ replace: [WORK1] });
    // -target the module instance, -replace its VM only: the config apply follows in place,
    // the bootstrap-like resource and the cloud-init stay.
    expect(plan.changes).toEqual([
      { address: `${WORK1}.terraform_data.config_apply`, actions: ['update'] },
      { address: `${WORK1}.terraform_data.vm`, actions: ['delete', 'create'] },
    ]);
    expect(plan.replaceable).toEqual([`${WORK1}.terraform_data.vm`]);
    expect(() => assertPlanScope(plan, [WORK1], 'k8s-work-1')).not.toThrow();
    expect((await stat(plan.id)).isFile()).toBe(true);
    expect(
      events.some((e) => e.type === 'planned_change' && e.address === `${WORK1}.terraform_data.vm`),
    ).toBe(true);

    events.length = 0;
    await adapter.apply(plan);
    expect(
      events.some((e) => e.type === 'apply_complete' && e.address === `${WORK1}.terraform_data.vm`),
    ).toBe(true);
    await expect(stat(plan.id)).rejects.toThrow(); // the saved plan is gone after apply

    const after = await adapter.resourceIds([
      WORK1,
      WORK2,
      'module.control_plane_nodes["k8s-ctrl-1"]',
      'module.nope',
    ]);
    expect(after[WORK1]).toBeDefined();
    expect(after[WORK1]).not.toBe(before[WORK1]);
    expect(after[WORK2]).toBe(before[WORK2]);
    expect(after['module.control_plane_nodes["k8s-ctrl-1"]']).toBe(
      before['module.control_plane_nodes["k8s-ctrl-1"]'],
    );
    expect(after['module.nope']).toBeUndefined();
    expect((await adapter.pullState()).serial).toBeGreaterThan(serialBefore);
  });

  it('replaces a batch in one plan and one apply: a -target/-replace pair per node; a VM that fails fails alone', async () => {
    const WORK3 = 'module.worker_nodes["k8s-work-3"]';
    const vm = (m: string) => `${m}.terraform_data.vm`;
    const before = await adapter.resourceIds([
      WORK1,
      WORK2,
      WORK3,
      'module.worker_nodes["k8s-work-4"]',
    ]);
    const plan = await adapter.plan({ replace: [WORK1, WORK2, WORK3] });
    // Three VMs and their config applies; nothing else (the bootstrap-like resources stay).
    expect(plan.changes.map((c) => `${c.address} ${c.actions.join(',')}`).sort()).toEqual(
      [WORK1, WORK2, WORK3]
        .flatMap((m) => [`${m}.terraform_data.config_apply update`, `${vm(m)} delete,create`])
        .sort(),
    );
    expect(plan.replaceable).toEqual([vm(WORK1), vm(WORK2), vm(WORK3)]);
    expect(() => assertPlanScope(plan, [WORK1, WORK2, WORK3], 'the batch')).not.toThrow();
    // k8s-work-2's VM cannot be created (the fixture's stand-in for a Proxmox clone error).
    const marker = join(dir, '.fail-create-k8s-work-2');
    await writeFile(marker, '');
    try {
      const failure = await adapter.apply(plan).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(DroverError);
      const error = failure as DroverError;
      expect(error.code).toBe('TF_APPLY_FAILED');
      // Terraform creates in parallel: the others went through and the error says which.
      expect([...(error.details?.completed as string[])].sort()).toEqual([vm(WORK1), vm(WORK3)]);
      const diagnostics = error.details?.diagnostics as { address?: string }[];
      expect(diagnostics.map((d) => d.address)).toEqual([vm(WORK2)]);
    } finally {
      await rm(marker);
    }
    const after = await adapter.resourceIds([
      WORK1,
      WORK2,
      WORK3,
      'module.worker_nodes["k8s-work-4"]',
    ]);
    expect(after[WORK1]).not.toBe(before[WORK1]);
    expect(after[WORK3]).not.toBe(before[WORK3]);
    expect(after['module.worker_nodes["k8s-work-4"]']).toBe(
      before['module.worker_nodes["k8s-work-4"]'],
    );
    // The failed VM is tainted in the state: planning it again replaces it, and only it.
    const again = await adapter.plan({ replace: [WORK2] });
    expect(again.changes.find((c) => c.address === vm(WORK2))?.actions).toEqual([
      'delete',
      'create',
    ]);
    expect(again.changes.some((c) => c.address.startsWith(WORK1))).toBe(false);
    await adapter.apply(again);
    // After an error Terraform starts no new operation: the config applies that follow the new
    // VMs of k8s-work-1 and -3 wait for the next apply (Drover applies the Talos config itself).
    terraform('apply', '-auto-approve', '-input=false', '-no-color');
  });

  it("a -target'ed plan leaves drift elsewhere (another node's rebuild trigger) out", async () => {
    const tfvars = join(dir, 'drift.auto.tfvars');
    await writeFile(tfvars, 'rebuild_triggers = { "k8s-work-2" = "kernel-args-changed" }\n');
    try {
      const plan = await adapter.plan({ replace: [WORK1] });
      expect(plan.changes.map((c) => c.address).sort()).toEqual([
        `${WORK1}.terraform_data.config_apply`,
        `${WORK1}.terraform_data.vm`,
      ]);
      await adapter.discardPlan(plan);
      await expect(stat(plan.id)).rejects.toThrow();
      // The same drift inside the node's own module is in the plan: the scope check sees it.
      const own = await adapter.plan({ replace: [WORK2] });
      expect(own.changes.find((c) => c.address === `${WORK2}.terraform_data.vm`)?.actions).toEqual([
        'delete',
        'create',
      ]);
      await adapter.discardPlan(own);
    } finally {
      await rm(tfvars);
    }
  });

  it('terraform itself: a -replace outside the -target set is a no-op (v1.11.4, what the twin models)', () => {
    const r = spawnSync(
      'terraform',
      [
        'plan',
        '-no-color',
        '-input=false',
        `-target=${WORK1}`,
        `-replace=${WORK2}.terraform_data.vm`,
      ],
      { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('No changes.');
    expect(r.stdout).toContain('Resource targeting is in effect');
  });

  it('a bootstrap-like resource the plan would recreate inside the node module is refused', async () => {
    const tfvars = join(dir, 'bootstrap.auto.tfvars');
    await writeFile(tfvars, 'bootstrap_triggers = { "k8s-work-1" = "again" }\n');
    try {
      const plan = await adapter.plan({ replace: [WORK1] });
      expect(
        plan.changes.find((c) => c.address === `${WORK1}.terraform_data.bootstrap`)?.actions,
      ).toEqual(['delete', 'create']);
      expect(() => assertPlanScope(plan, [WORK1], 'k8s-work-1')).toThrow(
        expect.objectContaining({ code: 'PLAN_SCOPE', category: 'refused' }),
      );
      await adapter.discardPlan(plan);
    } finally {
      await rm(tfvars);
    }
  });

  it('a template version bump plans the targeted template alone', async () => {
    const tfvars = join(dir, 'bump.auto.tfvars');
    await writeFile(tfvars, 'talos_version = "1.11.0"\n');
    try {
      const plan = await adapter.plan({ replace: [], replaceOnly: 'all' });
      expect(plan.changes.map((c) => c.address).sort()).toEqual([
        'module.template_baldar_base.terraform_data.template',
        'module.template_thor_gpu.terraform_data.template',
      ]);
      await adapter.discardPlan(plan);
      const one = await adapter.plan({ replace: ['module.template_thor_gpu'], replaceOnly: 'all' });
      expect(one.changes).toEqual([
        {
          address: 'module.template_thor_gpu.terraform_data.template',
          actions: ['delete', 'create'],
        },
      ]);
      await adapter.discardPlan(one);
    } finally {
      await rm(tfvars);
    }
  });

  it('a node lost half-way through a replacement is created by the plan (resume)', async () => {
    const work3 = 'module.worker_nodes["k8s-work-3"]';
    // An apply that died after the destroy: the VM is gone from the state, the rest is there.
    terraform('state', 'rm', `${work3}.terraform_data.vm`);
    expect(await adapter.expandReplace([work3])).toEqual([]);
    const plan = await adapter.plan({ replace: [work3] });
    expect(plan.changes.map((c) => `${c.address} ${c.actions.join(',')}`)).toEqual([
      `${work3}.terraform_data.config_apply update`,
      `${work3}.terraform_data.vm create`,
    ]);
    expect(plan.replaceable).toEqual([`${work3}.terraform_data.vm`]);
    await adapter.apply(plan);
    expect((await adapter.resourceIds([work3]))[work3]).toBeDefined();
  });

  it('a replace address that matches nothing in the state or the plan is an input error', async () => {
    await expect(
      adapter.plan({ replace: ['module.worker_nodes["k8s-wrok-1"]'] }),
    ).rejects.toMatchObject({
      category: 'input',
      code: 'TF_ADDRESS_UNKNOWN',
    });
  });

  it('a node module without a resource of the configured VM types is an input error naming the field', async () => {
    const defaults = new TerraformAdapter({ workingDir: dir, redactor: new Redactor(), env });
    const error = await defaults.plan({ replace: [WORK1] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ category: 'input', code: 'TF_ADDRESS_UNKNOWN' });
    expect((error as DroverError).hint).toContain('terraform.vmResourceTypes');
    await defaults.dispose();
  });

  it('refuses to apply a plan it did not make', async () => {
    await expect(
      adapter.apply({ id: join(dir, 'forged.tfplan'), changes: [] }),
    ).rejects.toMatchObject({
      code: 'TF_PLAN_UNKNOWN',
    });
  });

  it('reports a locked state as TF_STATE_LOCKED with the lock ID and never unlocks it', async () => {
    // `terraform console` holds the state lock for as long as it runs (local backend: fcntl lock
    // on terraform.tfstate plus .terraform.tfstate.lock.info).
    const holder = spawn('terraform', ['console'], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    try {
      const lockInfo = join(dir, '.terraform.tfstate.lock.info');
      await waitFor(async () => (await stat(lockInfo).catch(() => undefined)) !== undefined);
      const error = await adapter.plan({ replace: [WORK1] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DroverError);
      const e = error as DroverError;
      expect(e.category).toBe('failed');
      expect(e.code).toBe('TF_STATE_LOCKED');
      expect(e.message).toMatch(/lock ID [0-9a-f-]{36}/);
      expect(e.message).toMatch(/held by \S+@\S+/);
      expect(e.hint).toMatch(/force-unlocks only a lock its own dead run left/);
      expect(e.retryable).toBe(true);
      expect((e.details?.lock as { id?: string }).id).toMatch(/^[0-9a-f-]{36}$/);
      // Still locked: the adapter did not touch the holder's lock.
      expect((await stat(lockInfo)).isFile()).toBe(true);
      // The holder is a live terraform in this directory: never to be force-unlocked.
      expect(await adapter.localTerraformRunning()).toBe(true);
    } finally {
      holder.stdin.end();
      await new Promise((r) => holder.once('exit', r));
    }
    expect(await adapter.localTerraformRunning()).toBe(false);
    // Released: the next plan goes through.
    const plan = await adapter.plan({ replace: [] });
    expect(plan.changes).toEqual([]);
    await adapter.discardPlan(plan);
  });
});

/** Polls a real process's side effect (not a fixed sleep), bounded. */
async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(skip !== undefined)('TerraformAdapter on a fresh checkout (real terraform)', () => {
  it('runs `terraform init -input=false` once before its first command', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-tf-fresh-'));
    try {
      await cp(FIXTURE, dir, { recursive: true });
      await writeFile(join(dir, 'empty.tfrc'), '');
      const env = { TF_CLI_CONFIG_FILE: join(dir, 'empty.tfrc'), CHECKPOINT_DISABLE: '1' };
      // Without init, terraform itself refuses: the fixture has a backend block.
      const bare = spawnSync('terraform', ['show', '-json', '-no-color'], {
        cwd: dir,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
      expect(bare.status).not.toBe(0);
      expect(bare.stderr).toContain('Backend initialization required');
      // A wrapper that logs each subcommand, then runs the real terraform.
      const log = join(dir, 'calls.log');
      const wrapper = join(dir, 'terraform-logged.sh');
      await writeFile(wrapper, `#!/bin/sh\necho "$1" >> '${log}'\nexec terraform "$@"\n`, {
        mode: 0o755,
      });
      const adapter = new TerraformAdapter({
        workingDir: dir,
        binary: wrapper,
        redactor: new Redactor(),
        env,
      });
      expect(await adapter.listResources()).toEqual([]);
      expect((await stat(join(dir, '.terraform'))).isDirectory()).toBe(true);
      expect(await adapter.templateVersion('module.template_baldar_base')).toBeUndefined();
      const plan = await adapter.plan({ replace: [], replaceOnly: 'all' });
      await adapter.discardPlan(plan);
      const calls = (await readFile(log, 'utf8')).trim().split('\n');
      expect(calls[0]).toBe('init');
      expect(calls.filter((c) => c === 'init')).toHaveLength(1);
      expect(calls).toContain('plan');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skip !== undefined)('TerraformAdapter: forget (real terraform)', () => {
  it('a `removed` block with destroy = false plans a forget, which the scope check refuses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'drover-tf-forget-'));
    try {
      await writeFile(join(dir, 'empty.tfrc'), '');
      const env = { TF_CLI_CONFIG_FILE: join(dir, 'empty.tfrc'), CHECKPOINT_DISABLE: '1' };
      await cp(join(FIXTURE, 'modules', 'template'), join(dir, 'n'), { recursive: true });
      await writeFile(
        join(dir, 'main.tf'),
        'module "n" {\n  source        = "./n"\n  host          = "h"\n  flavor        = "f"\n  talos_version = "1.10.8"\n}\n',
      );
      const adapter = new TerraformAdapter({ workingDir: dir, redactor: new Redactor(), env });
      const first = await adapter.plan({ replace: [], replaceOnly: 'all' });
      await adapter.apply(first);
      // The resource leaves the configuration without being destroyed (Terraform >= 1.7).
      await writeFile(
        join(dir, 'n', 'main.tf'),
        'variable "host" { type = string }\nvariable "flavor" { type = string }\nvariable "talos_version" { type = string }\nremoved {\n  from = terraform_data.template\n  lifecycle {\n    destroy = false\n  }\n}\n',
      );
      const plan = await adapter.plan({ replace: ['module.n'], replaceOnly: 'all' });
      expect(plan.changes).toEqual([
        { address: 'module.n.terraform_data.template', actions: ['forget'] },
      ]);
      expect(() => assertPlanScope(plan, ['module.n'], 'module.n')).toThrow(
        expect.objectContaining({ code: 'PLAN_SCOPE' }),
      );
      await adapter.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
