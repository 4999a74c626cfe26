import { describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import type { RunState } from '../context.js';
import { counting } from '../testing/twin-faults.js';
import { twinRun } from '../testing/twin-run.js';
import { checkReplacePlan } from './check-replace-plan.js';

/** The twin's etcd members as cp-2 sees them (cp-1 leaving would take it to two). */
const members = async (run: RunState) =>
  (await run.ports.talos.etcdMembers('10.1.0.2')).map((m) => m.hostname).sort();

async function setup(scenario: Parameters<typeof twinRun>[0] = {}) {
  let applies = () => 0;
  const t = await twinRun({
    ...scenario,
    decorate: (ports) => {
      const counted = counting(ports, 'infrastructure', 'apply');
      applies = counted.count;
      return counted.ports;
    },
  });
  const discarded: string[] = [];
  const infra = t.run.ports.infrastructure;
  const discard = infra.discardPlan?.bind(infra);
  infra.discardPlan = async (plan) => {
    discarded.push(plan.id);
    await discard?.(plan);
  };
  return { ...t, discarded, applies: () => applies() };
}

describe('check-replace-plan (control plane, before etcd-leave)', () => {
  it('plans the node scoped, checks it and discards it: nothing applied, the state unchanged', async () => {
    const { run, context, discarded, applies } = await setup();
    const serial = (await run.ports.infrastructure.pullState()).serial;
    const result = await checkReplacePlan.run(context('cp-1/check-replace-plan'));
    expect(result.outcome).toBe('succeeded');
    expect(discarded).toHaveLength(1);
    expect((await run.ports.infrastructure.pullState()).serial).toBe(serial);
    expect(applies()).toBe(0);
    expect(await members(run)).toEqual(['cp-1', 'cp-2', 'cp-3']);
  });

  it('a plan reaching beyond the node is refused (exit 3) while etcd is whole', async () => {
    const { run, context, discarded } = await setup({
      scenario: { faults: [{ type: 'plan-extra-resource', node: 'cp-1' }] },
    });
    await expect(checkReplacePlan.run(context('cp-1/check-replace-plan'))).rejects.toMatchObject({
      code: 'PLAN_SCOPE',
      category: 'refused',
    });
    expect(discarded).toHaveLength(1);
    expect(await members(run)).toEqual(['cp-1', 'cp-2', 'cp-3']);
  });

  it('resume: a plan lock its own earlier process left (killed mid-plan) is released, then the check runs', async () => {
    const { run, context } = await setup();
    const infra = run.ports.infrastructure;
    const ctx0 = context('cp-1/check-replace-plan');
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
    expect(await members(run)).toEqual(['cp-1', 'cp-2', 'cp-3']);
  });
});
