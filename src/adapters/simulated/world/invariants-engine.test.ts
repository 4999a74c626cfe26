import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../index.js';
import { startSmall } from '../testing/fixtures.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

const messages = (c: SimulatedCluster) => c.violations().map((v) => `${v.invariant}: ${v.message}`);
const lockOf = (c: SimulatedCluster) => c.newLock();

describe('invariant single-lease-holder: acts only while a runner holds the lease', () => {
  it('a cordon after the lease expired on the world clock is recorded', async () => {
    cluster = await startSmall();
    await lockOf(cluster).acquire('run-a', 60);
    await cluster.ports.kubernetes.cordon('w-1');
    expect(cluster.violations()).toEqual([]);
    await cluster.ports.kubernetes.uncordon('w-1');
    await cluster.clock.sleep(61_000);
    await cluster.ports.kubernetes.cordon('w-2');
    expect(messages(cluster)).toContain(
      'single-lease-holder: cordon of w-2: taken while no runner held the upgrade lease',
    );
  });

  it('an etcd leave after the lease was released is recorded', async () => {
    cluster = await startSmall();
    const lock = lockOf(cluster);
    await lock.acquire('run-a', 60);
    await lock.release('run-a');
    await cluster.ports.talos.etcdLeave('10.1.0.1');
    expect(
      messages(cluster).some((m) => m.startsWith('single-lease-holder: etcd leave of cp-1')),
    ).toBe(true);
  });
});

describe('invariant noout-while-away: noout stays while an OSD node of its domain is down', () => {
  it('unsetting noout on a domain whose OSD node is down is recorded', async () => {
    cluster = await startSmall({ faults: [{ type: 'node-down', node: 'w-1', fromSeconds: 0 }] });
    await cluster.ports.storage.setNoout('h1', true);
    await cluster.clock.sleep(60_000);
    expect(cluster.violations()).toEqual([]);
    await cluster.ports.storage.setNoout('h1', false);
    expect(messages(cluster)).toContain(
      'noout-while-away: Ceph noout unset on h1 while w-1 (OSD node) is out of service',
    );
  });

  it('unsetting it once the domain is whole is fine', async () => {
    cluster = await startSmall();
    await cluster.ports.storage.setNoout('h1', true);
    await cluster.ports.storage.setNoout('h1', false);
    expect(cluster.violations()).toEqual([]);
  });
});

describe('invariant uncordon-when-done: nothing Drover left untouched stays cordoned at the end', () => {
  it('a node cordoned and never asked anything destructive, still cordoned at the release, is recorded', async () => {
    cluster = await startSmall();
    const lock = lockOf(cluster);
    await lock.acquire('run-a', 60);
    await cluster.ports.kubernetes.cordon('w-1');
    await lock.release('run-a');
    expect(messages(cluster)).toContain(
      'uncordon-when-done: w-1 left cordoned at the end of the run although nothing destructive was asked of it since Drover cordoned it',
    );
  });

  it('a node whose in-place upgrade was asked for may stay cordoned: the call may have reached it', async () => {
    cluster = await startSmall();
    const lock = lockOf(cluster);
    await lock.acquire('run-a', 600);
    await cluster.ports.kubernetes.cordon('w-1');
    await cluster.ports.talos
      .upgrade('10.1.1.1', {
        image: 'factory.talos.dev/nocloud-installer/x:v1.10.9',
        timeoutSeconds: 60,
      })
      .catch(() => undefined);
    await lock.release('run-a');
    expect(messages(cluster).filter((m) => m.startsWith('5:'))).toEqual([]);
  });

  it('a node put back (uncordoned) before the release is not recorded', async () => {
    cluster = await startSmall();
    const lock = lockOf(cluster);
    await lock.acquire('run-a', 60);
    await cluster.ports.kubernetes.cordon('w-1');
    await cluster.ports.kubernetes.uncordon('w-1');
    await lock.release('run-a');
    expect(messages(cluster).filter((m) => m.startsWith('5:'))).toEqual([]);
  });
});

describe('invariant etcd-quorum: a control plane node that left etcd is replaced, judged at the end', () => {
  const NEVER_REPLACED = 'etcd-quorum: cp-3 left etcd and its VM was never replaced';

  it('is not judged mid-run (the replacement is a step away), but at the lease release', async () => {
    cluster = await startSmall();
    const lock = lockOf(cluster);
    await lock.acquire('run-a', 600);
    await cluster.ports.talos.etcdLeave('10.1.0.3');
    expect(messages(cluster)).toEqual([]);
    await lock.release('run-a');
    expect(messages(cluster)).toContain(NEVER_REPLACED);
    // The run's end judges again: still one record.
    cluster.endRun();
    expect(messages(cluster).filter((m) => m === NEVER_REPLACED)).toHaveLength(1);
  });

  it('is judged at the end of a run that released no lease (endRun)', async () => {
    cluster = await startSmall();
    const lock = lockOf(cluster);
    await lock.acquire('run-a', 600);
    await cluster.ports.talos.etcdLeave('10.1.0.3');
    expect(messages(cluster)).toEqual([]);
    cluster.endRun();
    expect(messages(cluster)).toContain(NEVER_REPLACED);
  });
});

describe('invariant single-lease-holder against a second runner whose clock is 10 minutes behind', () => {
  const OTHER = 'drover/other-host/skewed-run/5ca1ab1e0000';
  const skewed = { type: 'skewed-runner' as const, skewSeconds: -600, holdSeconds: 1200 };

  it('it takes the free lease and renews it with renewTimes 10 minutes in the past', async () => {
    cluster = await startSmall({ faults: [skewed] });
    await cluster.clock.sleep(30_000);
    const lease = await cluster.ports.kubernetes.getLease('kube-system', 'drover-upgrade');
    expect(lease?.holderIdentity).toBe(OTHER);
    expect(cluster.clock.now() - lease!.renewTime!).toBeGreaterThanOrEqual(590_000);
    expect(cluster.violations()).toEqual([]);
  });

  it('a runner that judges its renewTime by its own clock steals a live lease: recorded', async () => {
    cluster = await startSmall({ faults: [skewed] });
    await cluster.clock.sleep(30_000);
    const lease = (await cluster.ports.kubernetes.getLease('kube-system', 'drover-upgrade'))!;
    // "Expired": renewTime + 300 s is in the past on this clock. It is not: the holder is alive.
    expect(lease.renewTime! + lease.leaseDurationSeconds * 1000).toBeLessThan(cluster.clock.now());
    await cluster.ports.kubernetes.updateLease({ ...lease, holderIdentity: 'run-a' });
    expect(messages(cluster)).toContain(
      `single-lease-holder: lease kube-system/drover-upgrade taken by run-a while ${OTHER} still held it`,
    );
  });

  it('acting while it holds the lease is recorded, whatever its renewTime says', async () => {
    cluster = await startSmall({ faults: [{ ...skewed, skewSeconds: 600 }] });
    await cluster.clock.sleep(30_000);
    await cluster.ports.kubernetes.cordon('w-1');
    expect(messages(cluster)).toContain(
      `single-lease-holder: cordon of w-1: taken while ${OTHER} held the upgrade lease`,
    );
  });

  it('a correct runner waits: once it released the lease, taking it and acting is fine', async () => {
    cluster = await startSmall({ faults: [skewed] });
    await cluster.clock.sleep(1_300_000);
    await lockOf(cluster).acquire('run-a', 60);
    await cluster.ports.kubernetes.cordon('w-1');
    await cluster.ports.kubernetes.uncordon('w-1');
    expect(cluster.violations()).toEqual([]);
  });
});
