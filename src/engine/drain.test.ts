import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../adapters/simulated/scenario/schema.js';
import { smallScenarioInput } from '../adapters/simulated/testing/fixtures.js';
import { block } from '../core/gates.js';
import { DEFAULT_POLICY } from '../core/policy.js';
import type { PodView } from '../ports/kubernetes.js';
import { drainNode, refusedPods } from './drain.js';
import { blip, counting, throwing } from './testing/twin-faults.js';
import { placePod, type HandPlacedPod } from './testing/twin-pods.js';
import { twinRun } from './testing/twin-run.js';

/**
 * The small twin (three workers run a replica of apps/web, guarded by a PDB that allows one
 * disruption; `web` is one of them); `pods`: put on by hand (on `web` unless named). Evictions and deletions are counted.
 */
async function setup(
  options: {
    scenario?: Partial<ScenarioInput>;
    pods?: HandPlacedPod[];
    faults?: boolean;
  } = {},
) {
  const counts = { evict: () => 0, deletePod: () => 0 };
  const t = await twinRun({
    scenario: options.scenario ?? {},
    decorate: (ports) => {
      const flaky = options.faults
        ? throwing(ports, 'kubernetes', 'evictPod', () => blip('evict'), 2)
        : ports;
      const evictions = counting(flaky, 'kubernetes', 'evictPod');
      const deletions = counting(evictions.ports, 'kubernetes', 'deletePod');
      counts.evict = evictions.count;
      counts.deletePod = deletions.count;
      return deletions.ports;
    },
  });
  // A worker that runs a replica of apps/web (the seed decides which three of the four do).
  let web = '';
  for (const n of ['w-1', 'w-2', 'w-3', 'w-4'])
    if (
      !web &&
      (await t.cluster.ports.kubernetes.listPodsOnNode(n)).some((p) => p.name.startsWith('web-'))
    )
      web = n;
  for (const pod of options.pods ?? []) placePod(t.cluster, { ...pod, node: pod.node || web });
  return { ...t, counts, web };
}

const names = (pods: PodView[]) => pods.map((p) => `${p.namespace}/${p.name}`).sort();
const daemonPods = async (t: Awaited<ReturnType<typeof setup>>, node: string) =>
  names(
    (await t.cluster.ports.kubernetes.listPodsOnNode(node)).filter(
      (p) => p.controllerKind === 'DaemonSet',
    ),
  );

const webStillOn = async (t: Awaited<ReturnType<typeof setup>>, node: string) =>
  (await t.cluster.ports.kubernetes.listPodsOnNode(node)).some((p) => p.name.startsWith('web-'));

describe('drain', () => {
  it('evicts managed pods and leaves DaemonSet and mirror pods alone', async () => {
    const t = await setup({
      scenario: {
        workloads: {
          ...smallScenarioInput().workloads,
          deployments: [{ namespace: 'apps', name: 'api', replicas: 1, on: 'controlplane' }],
        },
      },
    });
    const k = t.cluster.ports.kubernetes;
    const node = (await k.listPodsOnNode('cp-1')).some((p) => p.name.startsWith('api-'))
      ? 'cp-1'
      : (await k.listPodsOnNode('cp-2')).some((p) => p.name.startsWith('api-'))
        ? 'cp-2'
        : 'cp-3';
    const daemons = await daemonPods(t, node);
    const result = await drainNode(t.context(`${node}/drain`), node);
    expect(result.evicted).toEqual([expect.stringMatching(/^apps\/api-/)]);
    expect(result.forced).toEqual([]);
    expect(result.left.sort()).toEqual(
      [
        ...daemons,
        `kube-system/kube-apiserver-${node}`,
        `kube-system/kube-controller-manager-${node}`,
        `kube-system/kube-scheduler-${node}`,
      ].sort(),
    );
    expect(daemons.length).toBeGreaterThan(0);
    expect(await daemonPods(t, node)).toEqual(daemons);
    expect(t.counts.deletePod()).toBe(0);
  });

  it('a PDB that never allows eviction: retried through the graceful window, then forced (policy allows)', async () => {
    const t = await setup({
      scenario: { faults: [{ type: 'pdb-blocks', namespace: 'apps', name: 'web' }] },
    });
    const start = t.cluster.clock.now();
    const result = await drainNode(t.context(`${t.web}/drain`), t.web);
    expect(result.forced).toEqual([expect.stringMatching(/^apps\/web-/)]);
    expect(t.cluster.clock.now() - start).toBeGreaterThanOrEqual(
      DEFAULT_POLICY.drain.gracefulSeconds * 1000,
    );
    expect(t.counts.evict()).toBeGreaterThan(3);
  });

  it('without forceAfterGrace a blocked eviction fails the drain with DRAIN_BLOCKED and deletes nothing', async () => {
    const t = await setup({
      scenario: {
        policy: { drain: { forceAfterGrace: false } },
        faults: [{ type: 'pdb-blocks', namespace: 'apps', name: 'web' }],
      },
    });
    await expect(drainNode(t.context(`${t.web}/drain`), t.web)).rejects.toMatchObject({
      code: 'DRAIN_BLOCKED',
    });
    expect(t.counts.deletePod()).toBe(0);
    expect(await webStillOn(t, t.web)).toBe(true);
  });

  it('a forced deletion is proven safe first: with the lease lost past the window, nothing is forced', async () => {
    const t = await setup({
      scenario: { faults: [{ type: 'pdb-blocks', namespace: 'apps', name: 'web' }] },
    });
    // Lost while the evictions were refused: the pre-act check before forcing must notice.
    t.run.lease = { confirm: async () => block('LOCK_LOST', 'held by someone else') };
    await expect(drainNode(t.context(`${t.web}/drain`), t.web)).rejects.toMatchObject({
      code: 'LOCK_LOST',
    });
    expect(t.counts.deletePod()).toBe(0);
    expect(await webStillOn(t, t.web)).toBe(true);
  });

  it('refuses up front, evicting nothing, when an unmanaged pod is present and not allowed', async () => {
    const t = await setup({ pods: [{ name: 'bare', node: 'w-1' }] });
    await expect(drainNode(t.context('w-1/drain'), 'w-1')).rejects.toMatchObject({
      code: 'DRAIN_REFUSED',
      category: 'refused',
    });
    expect(t.counts.evict()).toBe(0);
  });

  it('refusedPods follows policy for emptyDir and unmanaged pods', () => {
    const pod = (name: string, controllerKind: string | undefined, usesEmptyDir: boolean) =>
      ({
        namespace: 'default',
        name,
        uid: `${name}-uid`,
        nodeName: 'w-1',
        phase: 'Running',
        ready: true,
        controllerKind,
        mirror: false,
        usesEmptyDir,
        deleting: false,
        labels: {},
      }) satisfies PodView;
    const pods = [
      pod('cache', 'ReplicaSet', true),
      pod('bare', undefined, false),
      pod('ds', 'DaemonSet', true),
    ];
    expect(refusedPods(pods, { ...DEFAULT_POLICY.drain, deleteEmptyDirData: false })).toEqual({
      unmanaged: ['default/bare'],
      emptyDir: ['default/cache'],
    });
    expect(refusedPods(pods, { ...DEFAULT_POLICY.drain, deleteUnmanagedPods: true })).toEqual({
      unmanaged: [],
      emptyDir: [],
    });
  });

  it('finished pods (a bare Succeeded pod, an evicted Failed pod, CronJob history) never block or refuse a drain', async () => {
    // A PDB that allows no disruption at all guards the evicted pod's app.
    const workloads = smallScenarioInput().workloads!;
    const t = await setup({
      scenario: {
        policy: { drain: { forceAfterGrace: false } },
        workloads: {
          ...workloads,
          deployments: [
            ...workloads.deployments!,
            { namespace: 'default', name: 'batch', replicas: 0, pdb: { maxUnavailable: 0 } },
          ],
        },
      },
      pods: [
        { name: 'bare-done', node: '', phase: 'Succeeded' },
        {
          name: 'evicted-batch',
          node: '',
          owner: { kind: 'ReplicaSet', name: 'batch' },
          phase: 'Failed',
        },
        {
          name: 'report-2900',
          node: '',
          owner: { kind: 'Job', name: 'report-2900' },
          phase: 'Succeeded',
          emptyDir: true,
        },
        { name: 'ds-old', node: '', owner: { kind: 'DaemonSet', name: 'old' }, phase: 'Failed' },
      ],
    });
    const daemons = (await daemonPods(t, t.web)).filter((p) => p !== 'default/ds-old');
    const result = await drainNode(t.context(`${t.web}/drain`), t.web);
    expect(result.evicted).toEqual(
      expect.arrayContaining([
        'default/bare-done',
        'default/ds-old',
        'default/evicted-batch',
        'default/report-2900',
        expect.stringMatching(/^apps\/web-/),
      ]),
    );
    expect(result.forced).toEqual([]);
    expect(result.left.sort()).toEqual(daemons);
    expect(t.counts.deletePod()).toBe(0);
  });

  it('a transient eviction error is retried', async () => {
    const t = await setup({ faults: true });
    const before = (await t.cluster.ports.kubernetes.listPodsOnNode(t.web)).filter(
      (p) => p.controllerKind !== 'DaemonSet' && !p.mirror,
    );
    const result = await drainNode(t.context(`${t.web}/drain`), t.web);
    expect(result.evicted.sort()).toEqual(names(before));
    expect(t.counts.evict()).toBe(before.length + 2);
  });
});
