import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../index.js';
import { backupState, machineConfigWithPatches, node, startSmall } from '../testing/fixtures.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function rebuildTemplates(c: SimulatedCluster): Promise<void> {
  for (const t of Object.values(c.inventory.templates)) {
    const plan = await c.ports.infrastructure.plan({ replace: [t.address] });
    await c.ports.infrastructure.apply(plan);
  }
}

describe('SimulatedTalosPort', () => {
  it('a replaced VM: unreachable while booting, maintenance, then configured at the template version', async () => {
    cluster = await startSmall();
    const { talos, kubernetes, infrastructure } = cluster.ports;
    await rebuildTemplates(cluster);
    const w3 = node(cluster, 'w-3');
    expect(await talos.probe(w3.address)).toBe('configured');
    await kubernetes.cordon('w-3');
    await backupState(cluster, 'b');
    await infrastructure.apply(await infrastructure.plan({ replace: w3.terraformAddresses }));
    expect(await talos.probe(w3.address)).toBe('unreachable');
    await expect(talos.version(w3.address)).rejects.toMatchObject({ code: 'TALOS_UNREACHABLE' });
    await cluster.clock.sleep(cluster.durations['wait-maintenance'] * 1200);
    expect(await talos.probe(w3.address)).toBe('maintenance');
    const config = await machineConfigWithPatches(cluster, w3);
    await expect(talos.applyConfig(w3.address, config, { insecure: false })).rejects.toThrow(
      /x509/,
    );
    await expect(
      talos.applyConfig(w3.address, config.replace('type: worker', 'type: controlplane'), {
        insecure: true,
      }),
    ).rejects.toMatchObject({ code: 'TALOS_CONFIG_INVALID' });
    await expect(
      talos.applyConfig(w3.address, 'machine: [', { insecure: true }),
    ).rejects.toMatchObject({ code: 'TALOS_CONFIG_INVALID' });
    await talos.applyConfig(w3.address, config, { insecure: true });
    const ready = await kubernetes.waitForNode(
      'w-3',
      (n) => n?.ready === 'True' && n.talosVersion === '1.11.0',
      { timeoutMs: 900_000 },
    );
    expect(ready?.osImage).toBe('Talos (v1.11.0)');
    expect(ready?.unschedulable).toBe(true);
    expect(await talos.probe(w3.address)).toBe('configured');
    expect(await talos.version(w3.address)).toBe('1.11.0');
    await expect(talos.applyConfig(w3.address, config, { insecure: true })).rejects.toThrow(
      /certificate required/,
    );
  });

  it('GPU label first, allocatable "0", then >= 1, only with the NVIDIA patch', async () => {
    cluster = await startSmall();
    const { talos, kubernetes, infrastructure } = cluster.ports;
    await rebuildTemplates(cluster);
    const w4 = node(cluster, 'w-4');
    await kubernetes.cordon('w-4');
    await backupState(cluster, 'b');
    await infrastructure.apply(await infrastructure.plan({ replace: w4.terraformAddresses }));
    await cluster.clock.sleep(cluster.durations['wait-maintenance'] * 1200);
    await talos.applyConfig(w4.address, await machineConfigWithPatches(cluster, w4), {
      insecure: true,
    });
    // The old Node object still shows the old machine's GPUs until the new kubelet registers.
    await kubernetes.waitForNode('w-4', (n) => n?.ready === 'True' && n.talosVersion === '1.11.0', {
      timeoutMs: 900_000,
    });
    const seen: string[] = [];
    await kubernetes.waitForNode(
      'w-4',
      (n) => {
        if (n?.ready === 'True')
          seen.push(
            `${n.labels['nvidia.com/gpu.present'] ?? '-'}/${n.allocatable['nvidia.com/gpu'] ?? '-'}`,
          );
        return Number(n?.allocatable['nvidia.com/gpu'] ?? 0) >= 1;
      },
      { timeoutMs: 900_000 },
    );
    expect([...new Set(seen)]).toEqual(['-/-', 'true/0', 'true/1']);
  });

  it('without the GPU patch the GPUs never appear', async () => {
    cluster = await startSmall();
    const { talos, kubernetes, infrastructure, secrets } = cluster.ports;
    await rebuildTemplates(cluster);
    const w4 = node(cluster, 'w-4');
    await backupState(cluster, 'b');
    await kubernetes.cordon('w-4');
    await infrastructure.apply(await infrastructure.plan({ replace: w4.terraformAddresses }));
    await cluster.clock.sleep(cluster.durations['wait-maintenance'] * 1200);
    await talos.applyConfig(w4.address, await secrets.machineConfig(w4), { insecure: true });
    await kubernetes.waitForNode('w-4', (n) => n?.ready === 'True', { timeoutMs: 900_000 });
    await expect(
      kubernetes.waitForNode('w-4', (n) => n?.labels['nvidia.com/gpu.present'] === 'true', {
        timeoutMs: 600_000,
      }),
    ).rejects.toMatchObject({ code: 'WAIT_TIMEOUT' });
  });

  it('etcd: leave removes the member, status per node, remove-member by hex id', async () => {
    cluster = await startSmall();
    const { talos } = cluster.ports;
    const members = await talos.etcdMembers('10.1.0.1');
    expect(members).toHaveLength(3);
    await talos.etcdLeave('10.1.0.3');
    expect((await talos.etcdMembers('10.1.0.1')).map((m) => m.hostname)).toEqual(['cp-1', 'cp-2']);
    const status = await talos.etcdStatus(['10.1.0.1', '10.1.0.3']);
    expect(status[0]).toMatchObject({ node: '10.1.0.1', healthy: true });
    expect(status[1]).toMatchObject({ node: '10.1.0.3', healthy: false });
    await expect(talos.etcdRemoveMember('10.1.0.1', 'ffffffffffffffff')).rejects.toThrow(
      /member not found/,
    );
    const cp2 = (await talos.etcdMembers('10.1.0.1')).find((m) => m.hostname === 'cp-2');
    await talos.etcdRemoveMember('10.1.0.1', String(cp2?.id));
    expect((await talos.etcdMembers('10.1.0.1')).map((m) => m.hostname)).toEqual(['cp-1']);
  });

  it('a replaced control plane node rejoins etcd under its hostname, the stale member dropped', async () => {
    cluster = await startSmall();
    const { talos, infrastructure } = cluster.ports;
    await rebuildTemplates(cluster);
    const cp1 = node(cluster, 'cp-1');
    const oldId = (await talos.etcdMembers('10.1.0.2')).find((m) => m.hostname === 'cp-1')?.id;
    await backupState(cluster, 'b');
    // No leave: the stale same-named member is removed when the new one joins.
    await infrastructure.apply(await infrastructure.plan({ replace: cp1.terraformAddresses }));
    await cluster.clock.sleep(cluster.durations['wait-maintenance'] * 1200);
    await talos.applyConfig(cp1.address, await machineConfigWithPatches(cluster, cp1), {
      insecure: true,
    });
    await cluster.clock.sleep(
      (cluster.durations['wait-ready'] + cluster.durations['wait-etcd-rejoin']) * 1200,
    );
    const members = await talos.etcdMembers('10.1.0.2');
    expect(members.map((m) => m.hostname).sort()).toEqual(['cp-1', 'cp-2', 'cp-3']);
    expect(members.find((m) => m.hostname === 'cp-1')?.id).not.toBe(oldId);
    expect((await talos.etcdStatus(['10.1.0.1'])).every((s) => s.healthy)).toBe(true);
  });

  it('pets: upgrade reboots in place to the image version; control plane checks etcd first', async () => {
    cluster = await startSmall({
      upgrade: {
        kind: 'pets',
        talos: { from: '1.10.8', to: '1.10.9' },
        kubernetes: { from: '1.33.5' },
      },
    });
    const { talos, kubernetes } = cluster.ports;
    const image = 'factory.talos.dev/nocloud-installer/abc:v1.10.9';
    await talos.upgrade('10.1.1.2', { image, timeoutSeconds: 1800 });
    expect(await talos.version('10.1.1.2')).toBe('1.10.9');
    expect((await kubernetes.getNode('w-2'))?.talosVersion).toBe('1.10.9');
    expect(cluster.vmReplacements()['w-2']).toBe(0);
    await talos.etcdLeave('10.1.0.3');
    await expect(
      talos.upgrade('10.1.0.1', { image: 'bad image', timeoutSeconds: 60 }),
    ).rejects.toThrow(/invalid reference/);
  });

  it('upgrade-k8s: one minor at a time, dry run changes nothing', async () => {
    cluster = await startSmall();
    const { talos, kubernetes } = cluster.ports;
    const dry = await talos.upgradeKubernetes({ node: '10.1.0.1', to: '1.34.1', dryRun: true });
    expect(dry).toContain('skipped in dry-run');
    expect((await kubernetes.getNode('w-1'))?.kubeletVersion).toBe('1.33.5');
    await expect(
      talos.upgradeKubernetes({ node: '10.1.0.1', to: '1.35.0', dryRun: false }),
    ).rejects.toThrow(/unsupported upgrade path 1.33->1.35/);
    await expect(
      talos.upgradeKubernetes({ node: '10.1.1.1', to: '1.34.1', dryRun: false }),
    ).rejects.toThrow(/not a control plane/);
    await talos.upgradeKubernetes({ node: '10.1.0.1', to: '1.34.1', dryRun: false });
    expect((await kubernetes.listNodes()).every((n) => n.kubeletVersion === '1.34.1')).toBe(true);
  });
});
