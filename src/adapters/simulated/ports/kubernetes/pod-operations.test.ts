import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../../index.js';
import { startSmall } from '../../testing/fixtures.js';
import { pdbObject, R } from '../../world/objects.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('twin pod errors carry the real adapter codes', () => {
  it('a pod under two PDBs: the 500 the server repeats is KUBE_REQUEST_FAILED, not retried', async () => {
    cluster = await startSmall();
    const second = pdbObject('apps', 'web-second', { minAvailable: 1 });
    cluster.store.create(R.pdbs, {
      ...second,
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
    });
    const k = cluster.ports.kubernetes;
    const web = cluster.store.list('pods').find((p) => p.metadata.labels?.app === 'web');
    const pod = (await k.listPodsOnNode(String(web?.spec?.nodeName))).find(
      (p) => p.labels.app === 'web',
    );
    if (!pod) throw new Error('web pod expected');
    await expect(k.evictPod(pod)).rejects.toMatchObject({
      code: 'KUBE_REQUEST_FAILED',
      retryable: false,
      details: { status: 500 },
    });
  });
});
