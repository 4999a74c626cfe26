import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedCluster } from '../index.js';
import { startSmall } from '../testing/fixtures.js';

let cluster: SimulatedCluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('the twin serves requests and allocatable from the scenario', () => {
  it('pods of a workload carry its requests; a node its own allocatable', async () => {
    const base = (await import('../testing/fixtures.js')).smallScenarioInput();
    cluster = await startSmall({
      nodes: (base.nodes as { name: string }[]).map((n) =>
        n.name === 'w-1' ? { ...n, allocatable: { cpu: '2', memory: '4Gi' } } : n,
      ) as never,
      workloads: {
        ...(base.workloads as object),
        deployments: [
          {
            namespace: 'apps',
            name: 'sized',
            replicas: 3,
            requests: { cpu: '750m', memory: '1Gi' },
          },
        ],
      } as never,
    });
    const pods = (
      await Promise.all(
        ['cp-1', 'cp-2', 'cp-3', 'w-1', 'w-2', 'w-3'].map((n) =>
          cluster!.ports.kubernetes.listPodsOnNode(n),
        ),
      )
    )
      .flat()
      .filter((p) => p.name.startsWith('sized-'));
    expect(pods.length).toBeGreaterThan(0);
    for (const p of pods) expect(p.requests).toEqual({ cpuMillis: 750, memoryBytes: 2 ** 30 });
    const w1 = await cluster.ports.kubernetes.getNode('w-1');
    expect([w1?.allocatable.cpu, w1?.allocatable.memory]).toEqual(['2', '4Gi']);
    const w2 = await cluster.ports.kubernetes.getNode('w-2');
    expect(w2?.allocatable.cpu).toBe('8');
  });
});
