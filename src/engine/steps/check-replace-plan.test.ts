import { describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
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

  it('resume: a plan lock its own earlier process left (killed mid-plan) is released, then the check runs', async () => {
    const c = new FakeCluster();
    const run = testRun(c);
    const infra = run.ports.infrastructure;
    const ctx0 = testContext(run, 'cp-1/check-replace-plan');
    const t0 = run.ports.clock.now();
    let locked = true;
    const unlocked: string[] = [];
    infra.lockOwner = () => 'drover@runner-1';
    infra.localTerraformRunning = async () => false;
    infra.forceUnlock = async (id) => {
      unlocked.push(id);
      locked = false;
    };
    const plan = infra.plan.bind(infra);
    infra.plan = async (request) => {
      if (locked)
        throw new DroverError('failed', 'TF_STATE_LOCKED', 'the Terraform state is locked', {
          details: {
            lock: { id: 'P-1', who: 'drover@runner-1', operation: 'OperationTypePlan' },
          },
        });
      return plan(request);
    };
    const prior = { type: 'step-started' as const, at: t0, runId: 'test', stepId: ctx0.step.id };
    run.entries.push(
      prior,
      {
        type: 'note',
        at: t0,
        runId: 'test',
        stepId: ctx0.step.id,
        data: { terraformStarting: 'plan', lockWho: 'drover@runner-1' },
      },
      { type: 'step-started', at: t0 + 1, runId: 'test', stepId: ctx0.step.id },
    );
    const result = await checkReplacePlan.run({ ...ctx0, priorStarts: [prior] });
    expect(result.outcome).toBe('succeeded');
    expect(unlocked).toEqual(['P-1']);
    expect(c.etcdLeft.size).toBe(0);
  });
});
