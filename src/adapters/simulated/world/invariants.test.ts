import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../index.js';
import { upgradeOver } from '../../../engine/testing/twin-run.js';
import { backupState, node, startSmall } from '../testing/fixtures.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const names = (c: SimulatedCluster) => c.violations().map((v) => v.invariant);

async function replaceVm(c: SimulatedCluster, name: string): Promise<void> {
  const plan = await c.ports.infrastructure.plan({ replace: node(c, name).terraformAddresses });
  await c.ports.infrastructure.apply(plan);
}

describe('invariant etcd-quorum: etcd quorum and one control plane at a time', () => {
  it('records a second control plane taken out of service', async () => {
    cluster = await startSmall();
    await cluster.ports.kubernetes.cordon('cp-1');
    expect(cluster.violations()).toEqual([]);
    await cluster.ports.kubernetes.cordon('cp-2');
    expect(names(cluster)).toContain('etcd-quorum');
  });

  it('records a member removed while another is unhealthy', async () => {
    cluster = await startSmall({ faults: [{ type: 'etcd-unhealthy', node: 'cp-2' }] });
    await cluster.clock.sleep(1000);
    await cluster.ports.talos.etcdLeave('10.1.0.1');
    expect(
      cluster
        .violations()
        .some((v) => v.invariant === 'etcd-quorum' && /removed while cp-2/.test(v.message)),
    ).toBe(true);
    expect(cluster.violations().some((v) => /lost quorum/.test(v.message))).toBe(true);
  });
});

describe('invariant etcd-quorum, destroying a cordoned control plane VM', () => {
  it('records the quorum lost when another member is already unhealthy', async () => {
    cluster = await startSmall({ faults: [{ type: 'etcd-unhealthy', node: 'cp-2' }] });
    await cluster.clock.sleep(1000);
    await backupState(cluster, 'b');
    await cluster.ports.kubernetes.cordon('cp-1');
    await replaceVm(cluster, 'cp-1');
    expect(
      cluster
        .violations()
        .some(
          (v) =>
            v.invariant === 'etcd-quorum' &&
            /VM of cp-1 destroyed: etcd lost quorum/.test(v.message),
        ),
    ).toBe(true);
  });
});

describe('invariant backup-before-destroy: a verified backup before any VM is destroyed', () => {
  it('records a destroy without a backup', async () => {
    cluster = await startSmall();
    await replaceVm(cluster, 'w-1');
    expect(names(cluster)).toEqual(['backup-before-destroy']);
  });

  it('accepts a backup that was read back, and not one older than the last state change', async () => {
    cluster = await startSmall();
    await backupState(cluster, 'b1');
    await replaceVm(cluster, 'w-1');
    expect(cluster.violations()).toEqual([]);
    // The replace changed the state: the old backup no longer covers it.
    await cluster.clock.sleep(3_600_000);
    await replaceVm(cluster, 'w-2');
    expect(names(cluster)).toContain('backup-before-destroy');
  });

  it('does not count a backup that was written but never read back', async () => {
    cluster = await startSmall();
    const state = await cluster.ports.infrastructure.pullState();
    await cluster.ports.stateBackup.put('b', state.bytes);
    await replaceVm(cluster, 'w-1');
    expect(names(cluster)).toContain('backup-before-destroy');
  });
});

describe('invariant scoped-terraform: an apply touches only the replaced node', () => {
  it('records an apply that touches another resource', async () => {
    cluster = await startSmall({ faults: [{ type: 'plan-extra-resource', node: 'w-1' }] });
    await backupState(cluster, 'b');
    const plan = await cluster.ports.infrastructure.plan({
      replace: node(cluster, 'w-1').terraformAddresses,
    });
    expect(plan.changes.map((c) => c.address)).toContain('proxmox_virtual_environment_dns.cluster');
    await cluster.ports.infrastructure.apply(plan);
    expect(cluster.violations().filter((v) => v.invariant === 'scoped-terraform')).toHaveLength(1);
  });

  it('an apply replacing two workers at once (a batch the budget allows) is no breach', async () => {
    cluster = await startSmall({
      policy: { disruption: { maxUnavailableWorkers: 5, maxUnavailableDomains: 5 } },
    });
    await backupState(cluster, 'b');
    const plan = await cluster.ports.infrastructure.plan({
      replace: [
        ...node(cluster, 'w-1').terraformAddresses,
        ...node(cluster, 'w-2').terraformAddresses,
      ],
    });
    await cluster.ports.infrastructure.apply(plan);
    expect(cluster.violations().filter((v) => v.invariant === 'scoped-terraform')).toEqual([]);
  });

  it('records an apply replacing a control plane node together with another node', async () => {
    cluster = await startSmall({
      policy: { disruption: { maxUnavailableWorkers: 5, maxUnavailableDomains: 5 } },
    });
    await backupState(cluster, 'b');
    const plan = await cluster.ports.infrastructure.plan({
      replace: [
        ...node(cluster, 'cp-1').terraformAddresses,
        ...node(cluster, 'w-1').terraformAddresses,
      ],
    });
    await cluster.ports.infrastructure.apply(plan);
    expect(
      cluster
        .violations()
        .some(
          (v) =>
            v.invariant === 'scoped-terraform' &&
            /2 nodes at once, control plane among them/.test(v.message),
        ),
    ).toBe(true);
  });
});

describe('invariant disruption-budget: the disruption policy and Ceph', () => {
  it('records a second worker taken out', async () => {
    cluster = await startSmall();
    await cluster.ports.kubernetes.cordon('w-1');
    await cluster.ports.kubernetes.cordon('w-2');
    expect(
      cluster.violations().filter((v) => v.invariant === 'disruption-budget').length,
    ).toBeGreaterThan(0);
  });

  it('does not blame Drover for a node failing on its own, but for adding to it', async () => {
    cluster = await startSmall({ faults: [{ type: 'node-down', node: 'w-1', fromSeconds: 0 }] });
    await cluster.clock.sleep(120_000);
    expect((await cluster.ports.kubernetes.getNode('w-1'))?.ready).not.toBe('True');
    expect(cluster.violations()).toEqual([]);
    await cluster.ports.kubernetes.cordon('w-2');
    expect(names(cluster)).toContain('disruption-budget');
  });

  it('counts a machine down before the cordon was sent, even while its Node still reads Ready', async () => {
    cluster = await startSmall({ faults: [{ type: 'node-down', node: 'w-1', fromSeconds: 0 }] });
    await cluster.clock.sleep(5_000);
    // Inside node-monitor-grace-period: Kubernetes still says Ready, the machine is stopped.
    expect((await cluster.ports.kubernetes.getNode('w-1'))?.ready).toBe('True');
    await cluster.ports.kubernetes.cordon('w-2');
    expect(cluster.violations().map((v) => v.message)).toContain(
      'cordon of w-2: 2 workers out of service (w-1, w-2), policy allows 1',
    );
  });

  it('counts a machine struck by a fault keyed to the cordon request itself', async () => {
    cluster = await startSmall({
      faults: [{ type: 'node-down', node: 'w-1', when: { request: 'cordon', node: 'w-2' } }],
    });
    await cluster.ports.kubernetes.cordon('w-2');
    expect(names(cluster)).toContain('disruption-budget');
  });

  it('does not blame a cordon for a machine that stopped while the request was under way', async () => {
    // The cordon of w-2 is sent at 0 and lands after the API's latency; w-1 stops in between.
    cluster = await startSmall({ faults: [{ type: 'node-down', node: 'w-1', fromSeconds: 0.5 }] });
    const cordoning = cluster.ports.kubernetes.cordon('w-2');
    await cluster.clock.sleep(600);
    expect(cluster.vmState('w-1')?.phase).toBe('stopped');
    await cordoning;
    expect(cluster.violations()).toEqual([]);
    // Drover's next act is judged with w-1 counted: it knows (or should) by now.
    await cluster.ports.kubernetes.cordon('w-3');
    expect(names(cluster)).toContain('disruption-budget');
  });

  it("counts Drover's own cordons that landed while the request was under way", async () => {
    cluster = await startSmall({
      policy: { disruption: { maxUnavailableWorkers: 1, maxUnavailableDomains: 5 } },
    });
    await Promise.all([
      cluster.ports.kubernetes.cordon('w-1'),
      cluster.ports.kubernetes.cordon('w-2'),
    ]);
    expect(cluster.violations().map((v) => v.message)).toContain(
      'cordon of w-2: 2 workers out of service (w-1, w-2), policy allows 1',
    );
  });

  it('records more Ceph domains down than tolerated', async () => {
    cluster = await startSmall({
      policy: { disruption: { maxUnavailableWorkers: 5, maxUnavailableDomains: 5 } },
    });
    await backupState(cluster, 'b1');
    await replaceVm(cluster, 'w-1');
    await backupState(cluster, 'b2');
    await replaceVm(cluster, 'w-2');
    expect(
      cluster
        .violations()
        .some(
          (v) =>
            v.invariant === 'disruption-budget' &&
            /Ceph has 2 failure domains down/.test(v.message),
        ),
    ).toBe(true);
    expect(await cluster.ports.kubernetes.cephHealth()).toBe('HEALTH_ERR');
  });
});

describe('invariant uncordon-when-done: uncordon only at the target, or untouched on a stop', () => {
  it('records an uncordon below the target version once something destructive touched it', async () => {
    cluster = await startSmall();
    await cluster.ports.kubernetes.cordon('cp-1');
    await cluster.ports.talos.etcdLeave('10.1.0.1');
    await cluster.ports.kubernetes.uncordon('cp-1');
    expect(cluster.violations().map((v) => v.message)).toContain(
      'cp-1 uncordoned at Talos 1.10.8, below the target 1.11.0',
    );
  });

  it('a node nothing destructive touched may be put back as it was', async () => {
    cluster = await startSmall();
    await cluster.ports.kubernetes.cordon('w-1');
    await cluster.ports.kubernetes.uncordon('w-1');
    expect(cluster.violations()).toEqual([]);
  });
});

describe('invariant drain-honours-pdbs: PDBs during the graceful window, DaemonSet pods left alone', () => {
  async function webPods(c: SimulatedCluster) {
    const pods = c.store.list('pods').filter((p) => p.metadata.labels?.app === 'web');
    return Promise.all(
      pods.map(async (p) => {
        const nodeName = String(p.spec?.nodeName);
        const view = (await c.ports.kubernetes.listPodsOnNode(nodeName)).find(
          (v) => v.name === p.metadata.name,
        );
        if (!view) throw new Error('web pod expected');
        return view;
      }),
    );
  }
  const relaxed = { disruption: { maxUnavailableWorkers: 3, maxUnavailableDomains: 3 } };

  it('records a forced delete against a PDB inside the graceful window', async () => {
    cluster = await startSmall({ policy: relaxed });
    const k = cluster.ports.kubernetes;
    const [first, second] = await webPods(cluster);
    if (!first?.nodeName || !second?.nodeName) throw new Error('two web pods expected');
    await k.cordon(first.nodeName);
    await k.cordon(second.nodeName);
    expect((await k.evictPod(first)).outcome).toBe('evicted');
    const blocked = await k.evictPod(second);
    expect(blocked).toMatchObject({ outcome: 'blocked' });
    expect(blocked.reason).toMatch(/needs 2 healthy pods and has 2 currently/);
    expect(cluster.violations().filter((v) => v.invariant === 'drain-honours-pdbs')).toEqual([]);
    await k.deletePod(second);
    expect(cluster.violations().filter((v) => v.invariant === 'drain-honours-pdbs')).toHaveLength(
      1,
    );
  });

  it.each([
    [true, 0],
    [false, 1],
  ])(
    'after the window, force with forceAfterGrace=%s records %i breach',
    async (force, breaches) => {
      cluster = await startSmall({
        policy: { ...relaxed, drain: { gracefulSeconds: 60, forceAfterGrace: force } },
        faults: [{ type: 'pdb-blocks', namespace: 'apps', name: 'web' }],
      });
      const k = cluster.ports.kubernetes;
      const [pod] = await webPods(cluster);
      if (!pod?.nodeName) throw new Error('web pod expected');
      await k.cordon(pod.nodeName);
      expect((await k.evictPod(pod)).outcome).toBe('blocked');
      await cluster.clock.sleep(61_000);
      await k.deletePod(pod);
      expect(cluster.violations().filter((v) => v.invariant === 'drain-honours-pdbs')).toHaveLength(
        breaches,
      );
    },
  );

  it('records an evicted DaemonSet or mirror pod', async () => {
    cluster = await startSmall();
    const k = cluster.ports.kubernetes;
    const ds = (await k.listPodsOnNode('w-1')).find((p) => p.controllerKind === 'DaemonSet');
    if (!ds) throw new Error('daemon pod expected');
    await k.evictPod(ds);
    const mirror = (await k.listPodsOnNode('cp-1')).find((p) => p.mirror);
    if (!mirror) throw new Error('mirror pod expected');
    await k.deletePod(mirror, 0);
    expect(cluster.violations().filter((v) => v.invariant === 'drain-honours-pdbs')).toHaveLength(
      2,
    );
  });
});

describe('invariant single-lease-holder: one lock holder', () => {
  it('records a takeover of a lease that had not expired, not of one that had', async () => {
    cluster = await startSmall();
    const k = cluster.ports.kubernetes;
    const now = cluster.clock.now();
    const created = await k.createLease({
      namespace: 'drover-system',
      name: 'upgrade',
      holderIdentity: 'run-a',
      leaseDurationSeconds: 60,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    });
    const taken = await k.updateLease({
      ...created,
      holderIdentity: 'run-b',
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 1,
    });
    expect(names(cluster)).toEqual(['single-lease-holder']);
    await cluster.clock.sleep(61_000);
    await k.updateLease({
      ...taken,
      holderIdentity: 'run-c',
      acquireTime: cluster.clock.now(),
      renewTime: cluster.clock.now(),
      leaseTransitions: 2,
    });
    expect(names(cluster)).toEqual(['single-lease-holder']);
  });
});

describe("the engine's cycle", () => {
  it('breaks nothing, including for a control plane node and a GPU worker', async () => {
    cluster = await startSmall();
    await upgradeOver(cluster, { nodes: ['cp-2', 'w-4'] });
    expect(cluster.violations()).toEqual([]);
    expect(cluster.vmReplacements()).toMatchObject({ 'cp-2': 1, 'w-4': 1, 'cp-1': 0 });
  });
});
