import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../index.js';
import { backupState } from '../testing/cycle-driver.js';
import { node, startSmall } from '../testing/fixtures.js';

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
    });
    expect(template.changes.map((c) => c.address)).toEqual([
      'module.template_h1_base.proxmox_virtual_environment_download_file.talos_image',
      'module.template_h1_base.proxmox_virtual_environment_vm.template',
    ]);
    await expect(
      cluster.ports.infrastructure.plan({ replace: ['module.nope'] }),
    ).rejects.toMatchObject({ code: 'TF_PLAN_FAILED' });
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
    const plan = await infra.plan({ replace: templates });
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
    const newId = (await infra.resourceIds([String(address)]))[String(address)];
    expect(newId).toBeDefined();
    expect(newId).not.toBe(oldId);
    expect(cluster.vmReplacements()['w-1']).toBe(1);
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
