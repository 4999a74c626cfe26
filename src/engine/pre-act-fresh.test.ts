import { describe, expect, it } from 'vitest';
import type { NodeView, ReadOptions } from '../ports/kubernetes.js';
import { preActDecision } from './pre-act-check.js';
import { twinRun } from './testing/twin-run.js';

/**
 * Invariant recheck-before-act: the re-check right before a destructive call reads the API
 * server, never a gate's watch cache (`cached: true`), which may lag behind it (a watch delivers
 * a little later, a half-open one not at all until it is abandoned).
 */
describe('pre-act reads bypass the cache', () => {
  it('a worker of another domain cordoned since the cache last heard: the fresh read waits', async () => {
    let stale: NodeView[] = [];
    const t = await twinRun({
      scenario: { policy: { disruption: { maxUnavailableWorkers: 3, maxUnavailableDomains: 1 } } },
      // The cache as it was before the cordon below: what a lagging watch cache still answers.
      decorate: (ports) => {
        const fresh = ports.kubernetes;
        return {
          ...ports,
          kubernetes: {
            ...fresh,
            listNodes: (read?: ReadOptions) =>
              read?.cached ? Promise.resolve(stale) : fresh.listNodes(),
            getNode: (name: string, read?: ReadOptions) =>
              read?.cached
                ? Promise.resolve(stale.find((n) => n.name === name))
                : fresh.getNode(name),
          },
        };
      },
    });
    t.run.inFlightNodes.add('w-1');
    await t.cluster.ports.kubernetes.cordon('w-1');
    stale = await t.cluster.ports.kubernetes.listNodes();
    // Someone else takes w-3 (host h3) out: a second failure domain.
    await t.cluster.ports.kubernetes.cordon('w-3');
    const w1 = t.run.inventory.nodes.find((n) => n.name === 'w-1')!;
    const cachedView = await t.run.kubernetes.nodeReads.listNodes({ cached: true });
    expect(cachedView.find((n) => n.name === 'w-3')?.unschedulable).toBe(false);
    const decision = await preActDecision(t.context('w-1/replace-vm'), w1);
    expect(decision).toMatchObject({ verdict: 'wait' });
    expect(decision.verdict === 'wait' && decision.reason).toContain('2 failure domains');
  });
});
