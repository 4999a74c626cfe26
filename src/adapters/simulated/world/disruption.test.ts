/**
 * The disruption controller as kube-controller-manager runs it (pkg/controller/disruption,
 * countHealthyPods): a pod the eviction API recorded in the PDB's disruptedPods is not counted
 * healthy while the entry lasts, so the budget it used is not handed out again before the pod
 * is gone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../index.js';
import { iso } from '../kube/store.js';
import { startSmall } from '../testing/fixtures.js';
import { R } from './objects.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Lets the reconcile passes that a write requested run (they run in microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

const budgetOf = (c: SimulatedCluster) =>
  c.store.get(R.pdbs, 'apps', 'web')?.status as {
    currentHealthy: number;
    disruptionsAllowed: number;
  };

describe('the disruption controller', () => {
  it('does not count a pod recorded in disruptedPods as healthy', async () => {
    cluster = await startSmall();
    const c = cluster;
    await settle();
    expect(budgetOf(c)).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 1 });
    const pod = c.store.list(R.pods, 'apps').find((p) => p.metadata.labels?.app === 'web');
    expect(pod).toBeDefined();
    // What an eviction writes before the pod is deleted.
    c.store.mutate(R.pdbs, 'apps', 'web', (pdb) => {
      pdb.status = {
        ...pdb.status,
        disruptionsAllowed: 0,
        disruptedPods: { [pod!.metadata.name]: iso(c.clock.now()) },
      };
    });
    await settle();
    expect(budgetOf(c)).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 0 });
  });
});
