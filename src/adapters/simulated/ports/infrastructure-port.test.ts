import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../index.js';
import { upgradeOver } from '../../../engine/testing/twin-run.js';
import { backupState, node, startSmall } from '../testing/fixtures.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('SimulatedInfrastructurePort', () => {
  it('plans -replace of a node module as delete+create of its resources', async () => {
    cluster = await startSmall();
    const plan = await cluster.ports.infrastructure.plan({
      replace: ['module.worker_nodes["w-1"]'],
    });
    expect(plan.changes).toEqual([
      {
        address: 'module.worker_nodes["w-1"].proxmox_virtual_environment_vm.vm',
        actions: ['delete', 'create'],
      },
    ]);
    const template = await cluster.ports.infrastructure.plan({
      replace: ['module.template_h1_base'],
      replaceOnly: 'all',
    });
    expect(template.changes.map((c) => c.address)).toEqual([
      'module.template_h1_base.proxmox_virtual_environment_download_file.talos_image',
      'module.template_h1_base.proxmox_virtual_environment_vm.template',
    ]);
    await expect(
      cluster.ports.infrastructure.plan({ replace: ['module.nope'] }),
    ).rejects.toMatchObject({ code: 'TF_PLAN_FAILED' });
  });

  it('a multi-target apply recreates its VMs in parallel under one lock; one VM failing fails alone', async () => {
    cluster = await startSmall({
      policy: { disruption: { maxUnavailableWorkers: 5, maxUnavailableDomains: 5 } },
      faults: [
        {
          type: 'step-fails',
          action: 'replace-vm',
          node: 'w-2',
          times: 1,
          transient: true,
          message: 'Error: error waiting for VM clone: 500 (simulated)',
        },
      ],
    });
    const infra = cluster.ports.infrastructure;
    await backupState(cluster, 'b');
    const targets = ['w-1', 'w-2'].flatMap((n) => node(cluster!, n).terraformAddresses);
    const plan = await infra.plan({ replace: targets });
    expect(plan.changes.map((c) => c.address)).toEqual(
      targets.map((t) => `${t}.proxmox_virtual_environment_vm.vm`),
    );
    const started = cluster.clock.now();
    const applying = infra.apply(plan);
    // One operation on the state: the lock is held for the whole apply.
    await expect(infra.plan({ replace: targets })).rejects.toMatchObject({
      code: 'TF_STATE_LOCKED',
    });
    const error = await applying.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      retryable: true,
      details: {
        failed: ['module.worker_nodes["w-2"].proxmox_virtual_environment_vm.vm'],
        completed: ['module.worker_nodes["w-1"].proxmox_virtual_environment_vm.vm'],
      },
    });
    expect((error as Error).message).toMatch(/w-2: Error: error waiting for VM clone/);
    // In parallel: one apply's length, not two; w-1 recreated, w-2 untouched; the lock is free.
    expect(cluster.clock.now() - started).toBeLessThan(1.5 * 300_000);
    expect(cluster.vmReplacements()).toMatchObject({ 'w-1': 1, 'w-2': 0 });
    await infra.discardPlan?.(await infra.plan({ replace: targets }));
  });

  it('holds one state lock: a concurrent operation fails like Terraform', async () => {
    cluster = await startSmall();
    const infra = cluster.ports.infrastructure;
    const first = infra.plan({ replace: ['module.worker_nodes["w-1"]'] });
    const second = infra.plan({ replace: ['module.worker_nodes["w-2"]'] });
    await expect(second).rejects.toMatchObject({ code: 'TF_STATE_LOCKED' });
    await expect(second).rejects.toThrow(/Error acquiring the state lock[\s\S]*OperationTypePlan/);
    await first;
    await infra.plan({ replace: ['module.worker_nodes["w-2"]'] });
  });

  it('an apply killed half-way leaves its lock held (never released by it); force-unlock of its ID frees it', async () => {
    cluster = await startSmall({ faults: [{ type: 'crash-during-apply', node: 'w-1' }] });
    const infra = cluster.ports.infrastructure;
    await backupState(cluster, 'b');
    const plan = await infra.plan({ replace: node(cluster, 'w-1').terraformAddresses });
    // No process to kill here (no onCrash handler): the apply returns its error, and its
    // `finally` runs as a killed terraform's never would; the lock must stay all the same.
    const crash = await infra.apply(plan).catch((e: unknown) => e);
    expect(crash).toMatchObject({ code: 'SIMULATED_CRASH' });
    const lockId = /state lock (\S+) left behind/.exec(String((crash as Error).message))?.[1];
    const held = await infra.plan({ replace: [] }).catch((e: unknown) => e);
    expect(held).toMatchObject({ code: 'TF_STATE_LOCKED' });
    expect(String((held as Error).message)).toContain(`ID:        ${lockId}`);
    await expect(infra.forceUnlock!('not-the-lock')).rejects.toThrow(/does not match/);
    await infra.forceUnlock!(lockId ?? '');
    await infra.plan({ replace: [] });
  });

  it('refuses a saved plan once the state changed (stale), and a plan applied twice', async () => {
    cluster = await startSmall();
    const infra = cluster.ports.infrastructure;
    const a = await infra.plan({ replace: ['module.template_h1_base'] });
    const b = await infra.plan({ replace: ['module.template_h2_base'] });
    await infra.apply(a);
    await expect(infra.apply(b)).rejects.toMatchObject({ code: 'TF_PLAN_STALE' });
    await expect(infra.apply(a)).rejects.toMatchObject({ code: 'TF_APPLY_FAILED' });
  });

  it('rebuilds templates at the target version; serial and ids change with each apply', async () => {
    cluster = await startSmall();
    const infra = cluster.ports.infrastructure;
    expect(await infra.templateVersion('module.template_h3_gpu')).toBe('1.10.8');
    const before = await infra.pullState();
    const idsBefore = await infra.resourceIds([
      'module.template_h3_gpu',
      'module.worker_nodes["w-1"]',
    ]);
    await infra.apply(await infra.plan({ replace: ['module.template_h3_gpu'] }));
    expect(await infra.templateVersion('module.template_h3_gpu')).toBe('1.11.0');
    expect(await infra.templateVersion('module.template_h1_base')).toBe('1.10.8');
    const after = await infra.pullState();
    expect(after.serial).toBeGreaterThan(before.serial);
    expect(after.lineage).toBe(before.lineage);
    const parsed = JSON.parse(new TextDecoder().decode(after.bytes)) as {
      serial: number;
      lineage: string;
      resources: unknown[];
    };
    expect(parsed).toMatchObject({ serial: after.serial, lineage: after.lineage });
    const idsAfter = await infra.resourceIds([
      'module.template_h3_gpu',
      'module.worker_nodes["w-1"]',
    ]);
    expect(idsAfter['module.template_h3_gpu']).not.toBe(idsBefore['module.template_h3_gpu']);
    expect(idsAfter['module.worker_nodes["w-1"]']).toBe(idsBefore['module.worker_nodes["w-1"]']);
  });

  it('one plan replacing several templates builds them at once: one rebuild-template duration', async () => {
    cluster = await startSmall();
    const infra = cluster.ports.infrastructure;
    const templates = [
      'module.template_h1_base',
      'module.template_h2_base',
      'module.template_h3_gpu',
    ];
    const idsBefore = await infra.resourceIds(templates);
    const serialBefore = (await infra.pullState()).serial;
    const start = cluster.clock.now();
    const plan = await infra.plan({ replace: templates, replaceOnly: 'all' });
    expect(plan.changes.filter((c) => c.actions.includes('create'))).toHaveLength(6);
    await infra.apply(plan);
    const took = (cluster.clock.now() - start) / 1000;
    expect(took).toBeGreaterThanOrEqual(cluster.durations['rebuild-template'] * 0.9);
    expect(took).toBeLessThanOrEqual(cluster.durations['rebuild-template'] * 1.1);
    for (const t of templates) expect(await infra.templateVersion(t)).toBe('1.11.0');
    const idsAfter = await infra.resourceIds(templates);
    for (const t of templates) expect(idsAfter[t]).not.toBe(idsBefore[t]);
    expect(new Set(Object.values(idsAfter)).size).toBe(templates.length);
    expect((await infra.pullState()).serial).toBe(serialBefore + 1);
  });

  it('replacing a VM destroys it, then creates a new one from the current template', async () => {
    cluster = await startSmall();
    const infra = cluster.ports.infrastructure;
    const w1 = node(cluster, 'w-1');
    const [address] = w1.terraformAddresses;
    const oldId = (await infra.resourceIds([String(address)]))[String(address)];
    await backupState(cluster, 'b');
    const start = cluster.clock.now();
    const applying = infra.apply(await infra.plan({ replace: w1.terraformAddresses }));
    await cluster.clock.sleep(cluster.durations['replace-vm'] * 500);
    expect((await infra.resourceIds([String(address)]))[String(address)]).toBeUndefined();
    expect(await infra.listResources()).not.toContain(
      `${address}.proxmox_virtual_environment_vm.vm`,
    );
    await applying;
    const took = (cluster.clock.now() - start) / 1000;
    expect(took).toBeGreaterThanOrEqual(cluster.durations['replace-vm'] * 0.9);
    expect(took).toBeLessThanOrEqual(cluster.durations['replace-vm'] * 1.1);
    // Proxmox's nextid hands the freed VMID straight back: the id is no evidence.
    const newId = (await infra.resourceIds([String(address)]))[String(address)];
    expect(newId).toBe(oldId);
    expect(cluster.vmReplacements()['w-1']).toBe(1);
  });
});

describe('SimulatedInfrastructurePort as bpg and Terraform behave', () => {
  const W1 = 'module.worker_nodes["w-1"]';
  const machineOf = async (c: SimulatedCluster, name: string) => {
    const view = await c.ports.kubernetes.getNode(name);
    return { systemUUID: view?.systemUUID, bootID: view?.bootID };
  };

  it('a recreated VM keeps (pinned) or gets back (lowest free) its VMID, but has a new systemUUID', async () => {
    for (const vmIds of ['pinned', 'lowest-free'] as const) {
      cluster = await startSmall({ terraform: { vmIds } });
      const infra = cluster.ports.infrastructure;
      const before = (await infra.resourceIds([W1]))[W1];
      const machine = await machineOf(cluster, 'w-1');
      expect(machine.systemUUID).toMatch(/^[0-9a-f-]{36}$/);
      expect(machine.bootID).toMatch(/^[0-9a-f-]{36}$/);
      await upgradeOver(cluster, { nodes: ['w-1'] });
      expect((await infra.resourceIds([W1]))[W1]).toBe(before);
      const after = await machineOf(cluster, 'w-1');
      expect(after.systemUUID).toMatch(/^[0-9a-f-]{36}$/);
      expect(after.systemUUID).not.toBe(machine.systemUUID);
      expect(after.bootID).not.toBe(machine.bootID);
      expect(cluster.violations()).toEqual([]);
      await cluster.close();
      cluster = undefined;
    }
  });

  it('-target limits the plan: drift and re-numbered clones only in an unscoped plan', async () => {
    cluster = await startSmall({ terraform: { drift: true, templateVmIds: 'new' } });
    const infra = cluster.ports.infrastructure;
    await backupState(cluster, 'b');
    await infra.apply(
      await infra.plan({ replace: ['module.template_h1_base'], replaceOnly: 'all' }),
    );
    const unscoped = await infra.plan({ replace: [] });
    const addresses = unscoped.changes.map((c) => c.address);
    expect(addresses).toContain('proxmox_virtual_environment_dns.cluster');
    // Every clone of the re-numbered template is dragged in (clone.vm_id is ForceNew).
    expect(addresses).toContain(`${W1}.proxmox_virtual_environment_vm.vm`);
    const scoped = await infra.plan({ replace: [W1] });
    expect(scoped.changes.map((c) => c.address)).toEqual([
      `${W1}.proxmox_virtual_environment_vm.vm`,
    ]);
    expect(scoped.replaceable).toEqual([`${W1}.proxmox_virtual_environment_vm.vm`]);
  });

  it('a pinned template keeps its VMID: nothing drags the clones', async () => {
    cluster = await startSmall({ terraform: { templateVmIds: 'pinned' } });
    const infra = cluster.ports.infrastructure;
    const before = (await infra.resourceIds(['module.template_h1_base']))[
      'module.template_h1_base'
    ];
    await backupState(cluster, 'b');
    await infra.apply(
      await infra.plan({ replace: ['module.template_h1_base'], replaceOnly: 'all' }),
    );
    expect((await infra.resourceIds(['module.template_h1_base']))['module.template_h1_base']).toBe(
      before,
    );
    expect((await infra.plan({ replace: [] })).changes).toEqual([]);
  });

  it('node modules hold other resources; the config apply follows the VM, a bootstrap fault recreates', async () => {
    cluster = await startSmall({
      terraform: {
        nodeModuleResources: [
          'talos_machine_configuration_apply.this',
          'talos_machine_bootstrap.this',
        ],
      },
      faults: [
        {
          type: 'plan-changes-module-resource',
          node: 'w-1',
          resource: 'talos_machine_bootstrap.this',
        },
      ],
    });
    const infra = cluster.ports.infrastructure;
    expect(await infra.listResources()).toContain(`${W1}.talos_machine_bootstrap.this`);
    const plan = await infra.plan({ replace: [W1] });
    expect(plan.changes).toEqual([
      { address: `${W1}.proxmox_virtual_environment_vm.vm`, actions: ['delete', 'create'] },
      { address: `${W1}.talos_machine_configuration_apply.this`, actions: ['update'] },
      { address: `${W1}.talos_machine_bootstrap.this`, actions: ['delete', 'create'] },
    ]);
    // Applied anyway (what a broken engine would do): the twin sees a second bootstrap.
    await backupState(cluster, 'b');
    await infra.apply(plan);
    expect(
      cluster
        .violations()
        .map((v) => v.message)
        .join('\n'),
    ).toMatch(/second bootstrap/);
  });

  it('someone else holds the lock (Lock Info), or the backend refuses the lock (no Lock Info)', async () => {
    cluster = await startSmall({
      faults: [
        { type: 'tf-lock-held', who: 'alice@laptop', fromSeconds: 0, untilSeconds: 60 },
        { type: 'tf-lock-error', fromSeconds: 120, untilSeconds: 180 },
      ],
    });
    const infra = cluster.ports.infrastructure;
    await cluster.clock.sleep(1000);
    const held = await infra.plan({ replace: [W1] }).catch((e: unknown) => e);
    expect(held).toMatchObject({ code: 'TF_STATE_LOCKED', retryable: true });
    expect(String((held as Error).message)).toMatch(/Lock Info:[\s\S]*Who:\s+alice@laptop/);
    await cluster.clock.sleep(120_000);
    const denied = await infra.plan({ replace: [W1] }).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 'TF_STATE_LOCK_ERROR', retryable: false });
    expect(String((denied as Error).message)).not.toMatch(/Lock Info/);
    await cluster.clock.sleep(60_000);
    await infra.plan({ replace: [W1] });
  });
});

describe('SimulatedStateBackupPort', () => {
  it('stores with sha256, reads back the same bytes, and answers NoSuchKey', async () => {
    cluster = await startSmall();
    const bytes = new TextEncoder().encode('{"serial": 1}');
    const stored = await cluster.ports.stateBackup.put('a/b.tfstate', bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    expect(stored).toEqual({ key: 'a/b.tfstate', size: bytes.byteLength, sha256 });
    expect(Buffer.from(await cluster.ports.stateBackup.get('a/b.tfstate')).toString()).toBe(
      '{"serial": 1}',
    );
    await expect(cluster.ports.stateBackup.get('missing')).rejects.toMatchObject({
      code: 'S3_NO_SUCH_KEY',
    });
  });
});

describe('SimulatedStoragePort and Ceph health', () => {
  it('noout is HEALTH_WARN while set; an OSD node away is WARN, back to OK a while after it returns', async () => {
    cluster = await startSmall();
    const { storage, kubernetes: k } = cluster.ports;
    await storage.setNoout('h1', true);
    expect(await storage.nooutDomains()).toEqual(['h1']);
    expect(await k.cephHealth()).toBe('HEALTH_WARN');
    await storage.setNoout('h1', false);
    expect(await k.cephHealth()).toBe('HEALTH_OK');

    await backupState(cluster, 'b');
    await cluster.ports.infrastructure.apply(
      await cluster.ports.infrastructure.plan({ replace: node(cluster, 'w-1').terraformAddresses }),
    );
    expect(await k.cephHealth()).toBe('HEALTH_WARN');
    const health = cluster.store.get('ceph.rook.io/cephclusters', 'rook-ceph', 'rook-ceph')?.status
      ?.ceph as { details: Record<string, unknown> };
    expect(Object.keys(health.details)).toContain('OSD_DOWN');
  });
});
