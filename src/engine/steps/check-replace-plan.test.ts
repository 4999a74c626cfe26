import { describe, expect, it } from 'vitest';
import { FakeCluster } from '../testing/fake-cluster.js';
import { testContext, testRun } from '../testing/test-run.js';
import { checkReplacePlan } from './check-replace-plan.js';

describe('check-replace-plan (control plane, before etcd-leave)', () => {
  it('plans the node scoped, checks it and discards it: nothing applied, the state unchanged', async () => {
    const c = new FakeCluster();
    const run = testRun(c);
    const discarded: string[] = [];
    run.ports.infrastructure.discardPlan = async (plan) => void discarded.push(plan.id);
    const serial = c.serial;
    const result = await checkReplacePlan.run(testContext(run, 'cp-1/check-replace-plan'));
    expect(result.outcome).toBe('succeeded');
    expect(discarded).toHaveLength(1);
    expect(c.serial).toBe(serial);
    expect(c.calls).not.toContain('apply');
    expect(c.etcdLeft.size).toBe(0);
    expect(c.lastBackupSerial).toBe(serial);
  });

  it('a plan reaching beyond the node is refused (exit 3) while etcd is whole', async () => {
    const c = new FakeCluster(undefined, { planExtra: 'module.dns.record' });
    const run = testRun(c);
    const discarded: string[] = [];
    run.ports.infrastructure.discardPlan = async (plan) => void discarded.push(plan.id);
    await expect(
      checkReplacePlan.run(testContext(run, 'cp-1/check-replace-plan')),
    ).rejects.toMatchObject({ code: 'PLAN_SCOPE', category: 'refused' });
    expect(discarded).toHaveLength(1);
    expect(c.etcdLeft.size).toBe(0);
  });
});
