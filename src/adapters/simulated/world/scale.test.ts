/**
 * The twin's cost grows with what changes, not with the cluster: regression tests for the
 * algorithmic fixes of issue #15, judged by counts (never by timing).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scaledScenario } from '../../../../bench/scaled-scenario.mjs';
import { createSimulatedCluster, type SimulatedCluster } from '../index.js';
import { KubeStore } from '../kube/store.js';
import { parseScenario } from '../scenario/load.js';
import { referenceScenarioInput } from '../scenario/reference.js';
import { VmWatch } from './vm-watch.js';
import { R } from './objects.js';
import { generatedPodName } from './pod-helpers.js';
import { SeededRandom } from './rng.js';
import type { VmState } from './state.js';
import type { World } from './world.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

async function clusterOf(nodes: number): Promise<SimulatedCluster> {
  const scenario = parseScenario(
    scaledScenario(referenceScenarioInput(), nodes),
    `scaled-${nodes}`,
  );
  return createSimulatedCluster({ scenario, seed: 1 });
}

/** Counts the objects the store hands out (getView, listView, get, list); returns the undo. */
function countReads(store: KubeStore, count: (objects: number) => void): () => void {
  const wrap = <K extends 'getView' | 'listView' | 'get' | 'list'>(name: K) => {
    const original = store[name].bind(store) as (...a: unknown[]) => unknown;
    (store as unknown as Record<K, unknown>)[name] = (...a: unknown[]) => {
      const out = original(...a);
      count(Array.isArray(out) ? out.length : 1);
      return out;
    };
    return () => ((store as unknown as Record<K, unknown>)[name] = original);
  };
  const undo = [wrap('getView'), wrap('listView'), wrap('get'), wrap('list')];
  return () => undo.forEach((u) => u());
}

/** Counts the objects the store hands out while `act` runs and the passes after it settle. */
async function readsDuring(store: KubeStore, act: () => void): Promise<number> {
  let reads = 0;
  const restore = countReads(store, (n) => (reads += n));
  try {
    act();
    // The controllers run in microtasks after the change; let every pass finish.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  } finally {
    restore();
  }
  return reads;
}

describe('the twin at scale', () => {
  it('seeds 5,000 nodes with one pod per DaemonSet per node (generated pod names never collide)', async () => {
    cluster = await clusterOf(5000);
    const pods = cluster.store.listView(R.pods);
    const perDaemonSet = new Map<string, Set<string>>();
    for (const p of pods) {
      const ds = p.metadata.ownerReferences?.find((r) => r.kind === 'DaemonSet')?.name;
      if (!ds) continue;
      const nodes = perDaemonSet.get(ds) ?? new Set<string>();
      nodes.add(String(p.spec?.nodeName));
      perDaemonSet.set(ds, nodes);
    }
    // kube-proxy, cilium and node-exporter run on all 5,000 nodes.
    expect(perDaemonSet.get('kube-proxy')?.size).toBe(5000);
    expect(perDaemonSet.get('node-exporter')?.size).toBe(5000);
    // 5,000 random five-character suffixes per DaemonSet: without a retry two of them collide
    // (27^5 names, ~60 % chance per DaemonSet at this size).
    expect(new Set(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).size).toBe(
      pods.length,
    );
  }, 120_000);

  it('draws a new pod name when the first one is taken, as a controller does after AlreadyExists', async () => {
    const store = new KubeStore(() => 0);
    const world = { rng: new SeededRandom(7), store } as unknown as World;
    const taken = `web-${new SeededRandom(7).suffix(5)}`;
    world.store.create(R.pods, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'apps', name: taken },
    });
    const name = generatedPodName(world, 'apps', 'web');
    expect(name).not.toBe(taken);
    expect(name).toMatch(/^web-[a-z0-9]{5}$/);
  });

  it('the passes after one pod goes away read as much of the store at 400 nodes as at 50', async () => {
    const reads: number[] = [];
    for (const nodes of [50, 400]) {
      cluster = await clusterOf(nodes);
      const store = cluster.store;
      // Settle first (the passes after start look at everything once).
      await readsDuring(store, () => undefined);
      // A kube-proxy pod of one node goes away: its DaemonSet makes a new one, its kubelet
      // starts it, the DaemonSet's status follows. Nothing else needs a look.
      const pod = store
        .listView(R.pods, 'kube-system')
        .find(
          (p) => p.metadata.name.startsWith('kube-proxy-') && p.spec?.nodeName === 'k8s-work-5',
        );
      if (!pod) throw new Error('no kube-proxy pod on k8s-work-5');
      reads.push(
        await readsDuring(store, () => store.delete(R.pods, 'kube-system', pod.metadata.name)),
      );
      await cluster.close();
      cluster = undefined;
    }
    const [small, large] = reads as [number, number];
    expect(small).toBeGreaterThan(0);
    // Every pod and node once would be ~10x more at 400 nodes; allow a little for the workloads.
    expect(large).toBeLessThan(small * 1.5);
  });

  it("a node's pods are read at the cost of that node's pods (400 nodes as 50), in the store's list order", async () => {
    const reads: number[] = [];
    for (const nodes of [50, 400]) {
      cluster = await clusterOf(nodes);
      const store = cluster.store;
      await readsDuring(store, () => undefined);
      const kube = cluster.ports.kubernetes;
      // Out of creation order: a later pod bound first, an earlier one updated, one re-created.
      const onNode = () => store.listView(R.pods).filter((p) => p.spec?.nodeName === 'k8s-work-5');
      const [first, second] = onNode();
      if (!first || !second) throw new Error('fewer than two pods on k8s-work-5');
      store.mutate(R.pods, first.metadata.namespace, first.metadata.name, (p) => {
        p.metadata.labels = { ...p.metadata.labels, touched: 'yes' };
      });
      store.delete(R.pods, second.metadata.namespace, second.metadata.name);
      store.create(R.pods, {
        ...second,
        metadata: { ...second.metadata, uid: undefined, resourceVersion: undefined },
      });
      const expected = onNode().map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
      let read = 0;
      const restore = countReads(store, (n) => (read += n));
      const listed = await kube.listPodsOnNode('k8s-work-5');
      restore();
      expect(listed.map((p) => `${p.namespace}/${p.name}`)).toEqual(expected);
      reads.push(read);
      await cluster.close();
      cluster = undefined;
    }
    const [small, large] = reads as [number, number];
    expect(small).toBeGreaterThan(0);
    // The whole pod list would be ~8x more at 400 nodes.
    expect(large).toBe(small);
  });

  it('a VM change costs one VM comparison at 400 nodes as at 50 (touched VMs, not every VM)', () => {
    const compared: number[] = [];
    for (const count of [50, 400]) {
      const names = new Set(Array.from({ length: count }, (_, i) => `n${i}`));
      const vms: Record<string, VmState | undefined> = {};
      for (const name of names)
        vms[name] = { node: name, phase: 'running', bootId: 'b0' } as VmState;
      const watch = new VmWatch();
      const changed = new Set<string>();
      // The first collect sees every VM (nothing seen yet); a full pass compares every VM.
      expect(watch.collect(vms, names, changed)).toBe(count);
      expect(changed.size).toBe(count);
      expect(watch.collect(vms, names, new Set(), true)).toBe(count);
      // One VM reboots: the write touches it; the next collect compares that VM alone.
      vms.n7 = { ...vms.n7!, phase: 'rebooting' };
      watch.touch('n7');
      const after = new Set<string>();
      compared.push(watch.collect(vms, names, after));
      expect([...after]).toEqual(['n7']);
      // Nothing touched: nothing compared.
      expect(watch.collect(vms, names, new Set())).toBe(0);
    }
    expect(compared).toEqual([1, 1]);
  });
});
