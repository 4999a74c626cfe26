/**
 * Faults keyed to what the cluster is asked to do (scenario/fault-timing.ts): every port
 * operation reports its requests, a `when` fault fires once on the first match (before the
 * operation acts, after it returned, or a delay later) and ends after `forSeconds`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedCluster, type SimulatedCluster } from '../index.js';
import type { WorldRequest } from './world-types.js';
import type { ScenarioInput } from '../scenario/schema.js';
import { backupState, node, smallScenario, startSmall } from '../testing/fixtures.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

type Faults = NonNullable<ScenarioInput['faults']>;

async function replace(c: SimulatedCluster, name: string): Promise<void> {
  await backupState(c, `lab/t-${name}.tfstate`);
  const plan = await c.ports.infrastructure.plan({ replace: node(c, name).terraformAddresses });
  await c.ports.infrastructure.apply(plan);
}

async function running(c: SimulatedCluster, name: string): Promise<boolean> {
  return (await c.ports.talos.probe(node(c, name).address)) === 'configured';
}

function recording(c: SimulatedCluster): string[] {
  const seen: string[] = [];
  c.onRequest((r: WorldRequest) => seen.push(`${r.moment} ${r.operation} ${r.node ?? '-'}`));
  return seen;
}

describe('the request feed', () => {
  it('reports each operation with its node, before it acts and after it returned', async () => {
    cluster = await startSmall();
    const seen = recording(cluster);
    await cluster.ports.kubernetes.cordon('w-1');
    await replace(cluster, 'w-1');
    await cluster.ports.storage.setNoout('h1', true);
    expect(seen).toEqual([
      'before cordon w-1',
      'after cordon w-1',
      'before backup-state w-1',
      'after backup-state w-1',
      'before terraform-plan -',
      'after terraform-plan -',
      'before replace-vm w-1',
      'after replace-vm w-1',
      'before storage-noout-set -',
      'after storage-noout-set -',
    ]);
  });

  it('a drain starts when a cordoned node’s pods are listed and ends when they are gone', async () => {
    cluster = await startSmall();
    const seen = recording(cluster);
    const k = cluster.ports.kubernetes;
    await k.listPodsOnNode('w-2');
    expect(seen).toEqual([]);
    await k.cordon('w-2');
    const pods = (await k.listPodsOnNode('w-2')).filter(
      (p) => !p.mirror && p.controllerKind !== 'DaemonSet',
    );
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) await k.evictPod(pod);
    await k.waitForPodsGone(pods, { timeoutMs: 600_000 });
    expect(seen.filter((s) => s.includes('drain'))).toEqual([
      'before drain w-2',
      'after drain w-2',
    ]);
    expect(seen.filter((s) => s === 'before evict w-2')).toHaveLength(pods.length);
  });
});

describe('when: a fault keyed to a request', () => {
  const downWhen = (when: object): Faults => [{ type: 'node-down', node: 'w-2', when } as never];

  it('fires before the matching request acts, for that node only, once', async () => {
    cluster = await startSmall({ faults: downWhen({ request: 'cordon', node: 'w-1' }) });
    await cluster.ports.kubernetes.cordon('w-3');
    expect(await running(cluster, 'w-2')).toBe(true);
    await cluster.ports.kubernetes.cordon('w-1');
    // Down the instant w-1's cordon was asked for: between a gate and the act it guards.
    expect(cluster.vmState('w-2')?.phase).toBe('stopped');
  });

  it('moment after: fires only once the operation returned', async () => {
    cluster = await startSmall({
      faults: downWhen({ request: 'replace-vm', node: 'w-1', moment: 'after' }),
    });
    const phases: (string | undefined)[] = [];
    cluster.onRequest((r) => {
      if (r.operation === 'replace-vm')
        phases.push(`${r.moment}:${cluster?.vmState('w-2')?.phase}`);
    });
    await replace(cluster, 'w-1');
    // Still up while the apply ran; down as it returned (the trigger listens first).
    expect(phases).toEqual(['before:running', 'after:stopped']);
  });

  it('delaySeconds fires in the middle of the operation; forSeconds ends it', async () => {
    cluster = await startSmall({
      faults: downWhen({ request: 'replace-vm', node: 'w-1', delaySeconds: 30, forSeconds: 600 }),
    });
    const t0 = cluster.clock.now();
    let atDown: number | undefined;
    const apply = replace(cluster, 'w-1');
    while (atDown === undefined) {
      await cluster.clock.sleep(1000);
      if (cluster.vmState('w-2')?.phase === 'stopped') atDown = cluster.clock.now();
    }
    await apply;
    expect(cluster.vmReplacements()['w-1']).toBe(1);
    // The apply took longer than the delay: the fault hit it half-way.
    expect(cluster.clock.now() - t0).toBeGreaterThan(atDown - t0);
    await cluster.clock.sleep(600_000 + cluster.durations['wait-ready'] * 2000);
    expect(await running(cluster, 'w-2')).toBe(true);
  });

  it('a crash fault runs the crash handler once, and the dead process’s requests never return', async () => {
    cluster = await startSmall({
      faults: [{ type: 'crash', when: { request: 'uncordon', node: 'w-3' } }],
    });
    let crashes = 0;
    cluster.onCrash(() => crashes++);
    await cluster.ports.kubernetes.cordon('w-3');
    const settled = cluster.ports.kubernetes.uncordon('w-3').then(() => 'returned');
    const outcome = await Promise.race([settled, new Promise((r) => setTimeout(r, 50, 'frozen'))]);
    expect(outcome).toBe('frozen');
    expect(crashes).toBe(1);
    expect(cluster.crashed()).toBe(true);
  });
});

describe('invariant run-to-completion: an abort never cuts off a running apply or upgrade', () => {
  it('an apply aborted half-way is recorded as a breach', async () => {
    cluster = await startSmall();
    await backupState(cluster, 'lab/t-w-1.tfstate');
    const plan = await cluster.ports.infrastructure.plan({
      replace: node(cluster, 'w-1').terraformAddresses,
    });
    const abort = new AbortController();
    const apply = cluster.ports.infrastructure.apply(plan, abort.signal).catch(() => 'aborted');
    await cluster.clock.sleep(30_000);
    abort.abort(new Error('SIGTERM'));
    expect(await apply).toBe('aborted');
    expect(cluster.violations().map((v) => [v.invariant, v.message])).toEqual([
      ['run-to-completion', 'replace-vm of w-1 was cut off by an abort before it finished'],
    ]);
  });

  it('an apply that finishes before the abort is not', async () => {
    cluster = await startSmall();
    await backupState(cluster, 'lab/t-w-1.tfstate');
    const plan = await cluster.ports.infrastructure.plan({
      replace: node(cluster, 'w-1').terraformAddresses,
    });
    const abort = new AbortController();
    await cluster.ports.infrastructure.apply(plan, abort.signal);
    abort.abort();
    expect(cluster.violations()).toEqual([]);
  });
});

describe('a breach is judged when Drover asked', () => {
  it('a fault striking while the replace is already under way is excused, not Drover’s', async () => {
    cluster = await startSmall({
      faults: downWhen('replace-vm', 'w-1', 10),
    });
    await replace(cluster, 'w-1');
    expect(cluster.vmState('w-2')?.phase).toBe('stopped');
    expect(cluster.violations()).toEqual([]);
  });

  it('the same breach when the node was already down as Drover asked is a violation', async () => {
    cluster = await startSmall({ faults: [{ type: 'node-down', node: 'w-2' }] });
    await replace(cluster, 'w-1');
    expect(cluster.violations().map((v) => v.invariant)).toContain('disruption-budget');
  });
});

function downWhen(request: string, node: string, delaySeconds: number): Faults {
  return [{ type: 'node-down', node: 'w-2', when: { request, node, delaySeconds } } as never];
}

describe('twin defects chaos found', () => {
  it('a crash fault that comes due while Drover is down (--advance) kills nothing', async () => {
    cluster = await createSimulatedCluster({
      scenario: smallScenario({ faults: [{ type: 'crash', fromSeconds: 600 }] }),
      seed: 7,
      advanceMs: 3_600_000,
    });
    expect(cluster.crashed()).toBe(false);
    await cluster.ports.kubernetes.cordon('w-1');
  });

  it('destroying a control plane VM whose member already left etcd costs no quorum', async () => {
    cluster = await startSmall({
      faults: [
        {
          type: 'etcd-unhealthy',
          node: 'cp-3',
          when: { request: 'etcd-leave', node: 'cp-2', moment: 'after' },
        },
      ],
    });
    // cp-2: not the etcd leader (the first member leads), so its leave needs no forfeit.
    await cluster.ports.kubernetes.cordon('cp-2');
    await cluster.ports.talos.etcdLeave(node(cluster, 'cp-2').address);
    await replace(cluster, 'cp-2');
    expect(cluster.violations()).toEqual([]);
  });
});

describe('--advance: the world lives on while Drover is down', () => {
  it('timers fire in order: a node that failed is Unknown an hour later, and back once its fault ends', async () => {
    cluster = await createSimulatedCluster({
      scenario: smallScenario({
        faults: [{ type: 'node-down', node: 'w-3', fromSeconds: 60, untilSeconds: 1800 }],
      }),
      seed: 7,
      advanceMs: 900_000,
    });
    const ready = async () => (await cluster?.ports.kubernetes.getNode('w-3'))?.ready;
    expect(cluster.clock.now() - Date.UTC(2026, 0, 5, 2)).toBe(900_000);
    expect(await ready()).toBe('Unknown');
    await cluster.clock.sleep(1800_000);
    expect(await ready()).toBe('True');
  });
});
