import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../adapters/simulated/scenario/schema.js';
import { block, PASS } from '../core/gates.js';
import { preActCheck, preActDecision } from './pre-act-check.js';
import { runStep } from './run-step.js';
import { counting } from './testing/twin-faults.js';
import { twinRun } from './testing/twin-run.js';

/** Long enough for the node controller to mark a stopped machine's Node NotReady (40 s grace). */
const NOTICED_MS = 60_000;

/**
 * w-1 (host h1) cordoned by this run; the policy allows three workers but one domain. `faults`:
 * what the world does on its own meanwhile.
 */
async function setup(faults: ScenarioInput['faults'] = []) {
  let applies = () => 0;
  const t = await twinRun({
    scenario: {
      policy: { disruption: { maxUnavailableWorkers: 3, maxUnavailableDomains: 1 } },
      faults,
    },
    decorate: (ports) => {
      const counted = counting(ports, 'infrastructure', 'apply');
      applies = counted.count;
      return counted.ports;
    },
  });
  t.run.inFlightNodes.add('w-1');
  await t.cluster.ports.kubernetes.cordon('w-1');
  const w1 = t.run.inventory.nodes.find((n) => n.name === 'w-1')!;
  return { ...t, w1, ctx: t.context('w-1/replace-vm'), applies: () => applies() };
}

describe('pre-act check (recheck-before-act)', () => {
  it('passes when the budget, storage and the lease allow it', async () => {
    const { ctx, w1 } = await setup();
    expect(await preActDecision(ctx, w1)).toEqual(PASS);
  });

  it('a worker of another domain that went down on its own since the gate: wait, then stop', async () => {
    const { ctx, w1, cluster } = await setup([{ type: 'node-down', node: 'w-3', fromSeconds: 1 }]);
    await cluster.clock.sleep(NOTICED_MS);
    const decision = await preActDecision(ctx, w1);
    expect(decision).toMatchObject({ verdict: 'wait' });
    expect(decision.verdict === 'wait' && decision.reason).toContain('2 failure domains');
    await expect(preActCheck(ctx, 'replace-vm')).rejects.toMatchObject({
      code: 'PRE_ACT_BLOCKED',
      category: 'refused',
    });
  });

  it('a worker whose Node still reads Ready but whose Talos API is silent counts as down', async () => {
    const { ctx, w1, cluster } = await setup([{ type: 'node-down', node: 'w-3', fromSeconds: 1 }]);
    // A machine that just stopped: node-monitor-grace-period has not yet turned Ready Unknown.
    await cluster.clock.sleep(5_000);
    expect((await cluster.ports.kubernetes.getNode('w-3'))?.ready).toBe('True');
    const decision = await preActDecision(ctx, w1);
    expect(decision.verdict === 'wait' && decision.reason).toContain('2 failure domains');
  });

  it('the same node coming back within the deadline lets it go on', async () => {
    const { ctx, w1, cluster } = await setup([
      { type: 'node-down', node: 'w-3', fromSeconds: 1, untilSeconds: 120 },
    ]);
    await cluster.clock.sleep(NOTICED_MS);
    expect(await preActDecision(ctx, w1)).toMatchObject({ verdict: 'wait' });
    await expect(preActCheck(ctx, 'replace-vm')).resolves.toBeUndefined();
  });

  it('a lost lease blocks at once, whatever else holds', async () => {
    const { ctx, run } = await setup();
    run.lease = { confirm: async () => block('LOCK_LOST', 'held by someone else') };
    await expect(preActCheck(ctx, 'replace-vm')).rejects.toMatchObject({ code: 'LOCK_LOST' });
  });

  it('a control plane node waits for an unhealthy etcd member', async () => {
    const t = await twinRun({ scenario: { faults: [{ type: 'etcd-unhealthy', node: 'cp-2' }] } });
    const cp1 = t.run.inventory.nodes.find((n) => n.name === 'cp-1')!;
    expect(await preActDecision(t.context('cp-1/etcd-leave'), cp1)).toMatchObject({
      verdict: 'wait',
    });
  });

  it('a destructive call it cannot prove safe never goes out: no apply, none journaled as made', async () => {
    const { run, w1, cluster, applies } = await setup([
      { type: 'node-down', node: 'w-3', fromSeconds: 1 },
    ]);
    await cluster.clock.sleep(NOTICED_MS);
    const step = run.plan.phases
      .flatMap((p) => p.units)
      .flatMap((u) => u.steps)
      .find((s) => s.id === 'w-1/replace-vm')!;
    await expect(runStep(run, step, w1, {})).rejects.toMatchObject({
      error: { code: 'PRE_ACT_BLOCKED' },
    });
    // Checked right before the destructive call: no apply went out, none journaled as made.
    expect(run.entries.some((e) => e.data?.destructiveCall !== undefined)).toBe(false);
    expect(applies()).toBe(0);
    expect(cluster.vmReplacements()['w-1'] ?? 0).toBe(0);
  });
});
