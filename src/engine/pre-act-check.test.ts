import { describe, expect, it } from 'vitest';
import { block, PASS } from '../core/gates.js';
import { DEFAULT_POLICY } from '../core/policy.js';
import { preActCheck, preActDecision } from './pre-act-check.js';
import { runStep } from './run-step.js';
import { FakeCluster } from './testing/fake-cluster.js';
import { testContext, testRun } from './testing/test-run.js';

/** w-1 (host a) cordoned by this run; the policy allows three workers but one domain. */
function setup() {
  const c = new FakeCluster(undefined, undefined, {
    ...DEFAULT_POLICY,
    disruption: {
      ...DEFAULT_POLICY.disruption,
      maxUnavailableWorkers: 3,
      maxUnavailableDomains: 1,
    },
  });
  const run = testRun(c);
  run.inFlightNodes.add('w-1');
  c.cordoned.add('w-1');
  return { c, run, ctx: testContext(run, 'w-1/replace-vm') };
}

const goDown = (c: FakeCluster, name: string) => {
  const vm = c.vms.get(name);
  if (vm) vm.configured = false;
};

describe('pre-act check (invariant recheck-before-act)', () => {
  it('passes when the budget, storage and the lease allow it', async () => {
    const { ctx, run } = setup();
    expect(
      await preActDecision(
        ctx,
        run.inventory.nodes.find((n) => n.name === 'w-1')!,
      ),
    ).toEqual(PASS);
  });

  it('a worker of another domain that went down on its own since the gate: wait, then stop', async () => {
    const { c, ctx, run } = setup();
    goDown(c, 'w-3');
    const w1 = run.inventory.nodes.find((n) => n.name === 'w-1')!;
    const decision = await preActDecision(ctx, w1);
    expect(decision).toMatchObject({ verdict: 'wait' });
    expect(decision.verdict === 'wait' && decision.reason).toContain('2 failure domains');
    await expect(preActCheck(ctx, 'replace-vm')).rejects.toMatchObject({
      code: 'PRE_ACT_BLOCKED',
      category: 'refused',
    });
  });

  it('a worker whose Node still reads Ready but whose Talos API is silent counts as down', async () => {
    const { c, ctx, run } = setup();
    const w1 = run.inventory.nodes.find((n) => n.name === 'w-1')!;
    const w3 = run.inventory.nodes.find((n) => n.name === 'w-3')!;
    const talos = run.ports.talos;
    const version = talos.version.bind(talos);
    // A machine that just stopped: node-monitor-grace-period has not yet turned Ready Unknown.
    talos.version = async (address, ...rest) => {
      if (address === w3.address) throw new Error(`dial tcp ${address}:50000: connection refused`);
      return version(address, ...rest);
    };
    expect(c.view('w-3')?.ready).toBe('True');
    const decision = await preActDecision(ctx, w1);
    expect(decision.verdict === 'wait' && decision.reason).toContain('2 failure domains');
  });

  it('the same node coming back within the deadline lets it go on', async () => {
    const { c, ctx } = setup();
    goDown(c, 'w-3');
    void c.clock.sleep(30_000).then(() => {
      const vm = c.vms.get('w-3');
      if (vm) vm.configured = true;
    });
    await expect(preActCheck(ctx, 'replace-vm')).resolves.toBeUndefined();
  });

  it('a lost lease blocks at once, whatever else holds', async () => {
    const { ctx, run } = setup();
    run.lease = { confirm: async () => block('LOCK_LOST', 'held by someone else') };
    await expect(preActCheck(ctx, 'replace-vm')).rejects.toMatchObject({ code: 'LOCK_LOST' });
  });

  it('a control plane node waits for an unhealthy etcd member', async () => {
    const c = new FakeCluster();
    c.faults.etcdUnhealthy = new Set(['cp-2']);
    const run = testRun(c);
    const ctx = testContext(run, 'cp-1/etcd-leave');
    const cp1 = run.inventory.nodes.find((n) => n.name === 'cp-1')!;
    expect(await preActDecision(ctx, cp1)).toMatchObject({ verdict: 'wait' });
  });

  it('a destructive call it cannot prove safe never goes out: no apply, none journaled as made', async () => {
    const { c, run } = setup();
    goDown(c, 'w-3');
    const step = run.plan.phases
      .flatMap((p) => p.units)
      .flatMap((u) => u.steps)
      .find((s) => s.id === 'w-1/replace-vm')!;
    const w1 = run.inventory.nodes.find((n) => n.name === 'w-1');
    await expect(runStep(run, step, w1, {})).rejects.toMatchObject({
      error: { code: 'PRE_ACT_BLOCKED' },
    });
    // Checked right before the destructive call: no apply went out, none journaled as made.
    expect(run.entries.some((e) => e.data?.destructiveCall !== undefined)).toBe(false);
    expect(c.calls).not.toContain('apply');
  });
});
