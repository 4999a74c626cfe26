import { afterEach, describe, expect, it } from 'vitest';
import { DroverError } from '../../../core/errors.js';
import type { SimulatedCluster } from '../index.js';
import type { ScenarioInput } from '../scenario/schema.js';
import { backupState, machineConfigWithPatches, node, startSmall } from '../testing/fixtures.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

type Faults = NonNullable<ScenarioInput['faults']>;

async function failure(promise: Promise<unknown>): Promise<DroverError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DroverError);
    return error as DroverError;
  }
  throw new Error('expected a failure');
}

async function replace(c: SimulatedCluster, name: string): Promise<void> {
  await backupState(c, `b-${name}-${c.clock.now()}`);
  const plan = await c.ports.infrastructure.plan({ replace: node(c, name).terraformAddresses });
  await c.ports.infrastructure.apply(plan);
}

async function bootAndConfigure(c: SimulatedCluster, name: string): Promise<void> {
  const n = node(c, name);
  await c.clock.sleep(c.durations['wait-maintenance'] * 1500);
  expect(await c.ports.talos.probe(n.address)).toBe('maintenance');
  await c.ports.talos.applyConfig(n.address, await machineConfigWithPatches(c, n), {
    insecure: true,
  });
}

describe('step-fails', () => {
  it('fails N times with a transient error, then succeeds', async () => {
    cluster = await startSmall({
      faults: [{ type: 'step-fails', action: 'replace-vm', node: 'w-1', times: 2 }],
    });
    for (let i = 1; i <= 2; i++) {
      const error = await failure(replace(cluster, 'w-1'));
      expect(error.code).toBe('SIMULATED_FAULT');
      expect(error.retryable).toBe(true);
      expect(error.details).toMatchObject({ action: 'replace-vm', node: 'w-1' });
      expect(cluster.vmReplacements()['w-1']).toBe(0);
    }
    await replace(cluster, 'w-1');
    expect(cluster.vmReplacements()['w-1']).toBe(1);
  });

  it('fails always, not transient, only for its node', async () => {
    cluster = await startSmall({
      faults: [{ type: 'step-fails', action: 'cordon', node: 'w-2', times: 'always' }],
    });
    for (let i = 0; i < 3; i++)
      expect(await failure(cluster.ports.kubernetes.cordon('w-2'))).toMatchObject({
        code: 'SIMULATED_FAULT_PERMANENT',
        retryable: false,
      });
    await cluster.ports.kubernetes.cordon('w-1');
  });

  it.each<[string, Faults[number], (c: SimulatedCluster) => Promise<unknown>]>([
    [
      'backup-state -> stateBackup.put',
      { type: 'step-fails', action: 'backup-state' },
      (c) => c.ports.stateBackup.put('k', new Uint8Array([1])),
    ],
    [
      'drain -> eviction',
      { type: 'step-fails', action: 'drain', node: 'w-1' },
      async (c) => {
        const [pod] = await c.ports.kubernetes.listPodsOnNode('w-1');
        if (!pod) throw new Error('pod expected');
        return c.ports.kubernetes.evictPod(pod);
      },
    ],
    [
      'etcd-leave -> etcdLeave',
      { type: 'step-fails', action: 'etcd-leave', node: 'cp-1' },
      (c) => c.ports.talos.etcdLeave('10.1.0.1'),
    ],
    [
      'talos-upgrade -> upgrade',
      { type: 'step-fails', action: 'talos-upgrade', node: 'w-1' },
      (c) =>
        c.ports.talos.upgrade('10.1.1.1', {
          image: 'factory.talos.dev/nocloud-installer/x:v1.10.9',
          timeoutSeconds: 600,
        }),
    ],
    [
      'storage-noout-set -> setNoout',
      { type: 'step-fails', action: 'storage-noout-set' },
      (c) => c.ports.storage.setNoout('h1', true),
    ],
    [
      'k8s-upgrade -> upgradeKubernetes',
      { type: 'step-fails', action: 'k8s-upgrade' },
      (c) => c.ports.talos.upgradeKubernetes({ node: '10.1.0.1', to: '1.33.6', dryRun: false }),
    ],
  ])('%s', async (_name, fault, call) => {
    cluster = await startSmall({ faults: [fault] });
    expect((await failure(call(cluster))).code).toBe('SIMULATED_FAULT');
    await call(cluster);
  });

  it('apply-config -> applyConfig, wait-maintenance -> probe', async () => {
    cluster = await startSmall({
      faults: [
        { type: 'step-fails', action: 'apply-config', node: 'w-1' },
        { type: 'step-fails', action: 'wait-maintenance', node: 'w-1', times: 2 },
      ],
    });
    await replace(cluster, 'w-1');
    await cluster.clock.sleep(cluster.durations['wait-maintenance'] * 1500);
    expect(await cluster.ports.talos.probe('10.1.1.1')).toBe('unreachable');
    expect(await cluster.ports.talos.probe('10.1.1.1')).toBe('unreachable');
    expect(await cluster.ports.talos.probe('10.1.1.1')).toBe('maintenance');
    const config = await machineConfigWithPatches(cluster, node(cluster, 'w-1'));
    expect(
      (await failure(cluster.ports.talos.applyConfig('10.1.1.1', config, { insecure: true }))).code,
    ).toBe('SIMULATED_FAULT');
    await cluster.ports.talos.applyConfig('10.1.1.1', config, { insecure: true });
  });
});

describe('world faults', () => {
  it('never-ready: the fresh node never turns Ready', async () => {
    cluster = await startSmall({ faults: [{ type: 'never-ready', node: 'w-1' }] });
    await replace(cluster, 'w-1');
    await bootAndConfigure(cluster, 'w-1');
    const error = await failure(
      cluster.ports.kubernetes.waitForNode('w-1', (n) => n?.ready === 'True', {
        timeoutMs: 1_800_000,
      }),
    );
    expect(error.code).toBe('WAIT_TIMEOUT');
    expect((await cluster.ports.kubernetes.getNode('w-1'))?.talosVersion).toBe('1.10.8');
  });

  it('pdb-blocks: the budget never allows an eviction', async () => {
    cluster = await startSmall({
      faults: [{ type: 'pdb-blocks', namespace: 'apps', name: 'web' }],
    });
    const pod = cluster.store.list('pods').find((p) => p.metadata.labels?.app === 'web');
    const result = await cluster.ports.kubernetes.evictPod({
      namespace: 'apps',
      name: String(pod?.metadata.name),
    });
    expect(result.outcome).toBe('blocked');
    expect(cluster.store.get('policy/poddisruptionbudgets', 'apps', 'web')?.status).toMatchObject({
      disruptionsAllowed: 0,
      currentHealthy: 3,
    });
  });

  it('etcd-unhealthy: a member stops answering from a time on', async () => {
    cluster = await startSmall({
      faults: [{ type: 'etcd-unhealthy', node: 'cp-3', fromSeconds: 600, untilSeconds: 1200 }],
    });
    const status = () => cluster!.ports.talos.etcdStatus(['10.1.0.1', '10.1.0.2', '10.1.0.3']);
    expect((await status()).every((s) => s.healthy)).toBe(true);
    await cluster.clock.sleep(600_000);
    const during = await status();
    expect(during.map((s) => s.healthy)).toEqual([true, true, false]);
    expect(during[2]?.error).toMatch(/deadline exceeded/);
    // Still listed: the member list alone says nothing about health.
    expect((await cluster.ports.talos.etcdMembers('10.1.0.1')).map((m) => m.hostname)).toContain(
      'cp-3',
    );
    await cluster.clock.sleep(600_000);
    expect((await status()).every((s) => s.healthy)).toBe(true);
  });

  it('s3-unavailable: puts and gets fail while it lasts', async () => {
    cluster = await startSmall({
      faults: [{ type: 's3-unavailable', fromSeconds: 0, untilSeconds: 60 }],
    });
    await cluster.clock.sleep(1);
    const error = await failure(cluster.ports.stateBackup.put('k', new Uint8Array([1, 2])));
    expect(error).toMatchObject({ code: 'S3_UNAVAILABLE', retryable: true });
    await cluster.clock.sleep(60_000);
    await cluster.ports.stateBackup.put('k', new Uint8Array([1, 2]));
  });

  it('plan-extra-resource: only the faulted node’s plan is widened', async () => {
    cluster = await startSmall({
      faults: [
        {
          type: 'plan-extra-resource',
          node: 'w-2',
          address: 'module.worker_nodes["w-3"].proxmox_virtual_environment_vm.vm',
        },
      ],
    });
    const w1 = await cluster.ports.infrastructure.plan({
      replace: node(cluster, 'w-1').terraformAddresses,
    });
    expect(w1.changes.map((c) => c.address)).toEqual([
      'module.worker_nodes["w-1"].proxmox_virtual_environment_vm.vm',
    ]);
    const w2 = await cluster.ports.infrastructure.plan({
      replace: node(cluster, 'w-2').terraformAddresses,
    });
    expect(w2.changes).toContainEqual({
      address: 'module.worker_nodes["w-3"].proxmox_virtual_environment_vm.vm',
      actions: ['update'],
    });
  });

  it('old-vm-lingers: the address answers with the old machine’s certificate', async () => {
    cluster = await startSmall({ faults: [{ type: 'old-vm-lingers', node: 'w-1' }] });
    await replace(cluster, 'w-1');
    await cluster.clock.sleep(cluster.durations['wait-maintenance'] * 1500);
    expect(await cluster.ports.talos.probe('10.1.1.1')).toBe('x509');
  });

  it('node-down: a worker fails on its own and comes back', async () => {
    cluster = await startSmall({
      faults: [{ type: 'node-down', node: 'w-2', fromSeconds: 100, untilSeconds: 1000 }],
    });
    await cluster.clock.sleep(200_000);
    expect((await cluster.ports.kubernetes.getNode('w-2'))?.ready).toBe('Unknown');
    expect(await cluster.ports.kubernetes.cephHealth()).toBe('HEALTH_WARN');
    await cluster.clock.sleep(1_200_000);
    expect((await cluster.ports.kubernetes.getNode('w-2'))?.ready).toBe('True');
    expect(cluster.violations()).toEqual([]);
  });
});
