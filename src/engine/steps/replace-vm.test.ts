import { describe, expect, it } from 'vitest';
import type { InfrastructurePlan, PlanRequest } from '../../ports/infrastructure.js';
import { FakeCluster } from '../testing/fake-cluster.js';
import { testContext, testRun } from '../testing/test-run.js';
import { replaceVm } from './replace-vm.js';
import { takeVerifiedBackup } from '../state-backup.js';

/** The fake cluster's ports, with the infrastructure's apply and plan observed. */
function setup(signal?: AbortSignal) {
  const c = new FakeCluster();
  const run = testRun(c, signal);
  const infra = run.ports.infrastructure;
  const seen = { applySignals: [] as (AbortSignal | undefined)[], plans: [] as PlanRequest[] };
  const plan = infra.plan.bind(infra);
  const apply = infra.apply.bind(infra);
  infra.plan = (request) => {
    seen.plans.push(request);
    return plan(request);
  };
  return { c, run, infra, seen, apply, wrapApply: (fn: typeof infra.apply) => (infra.apply = fn) };
}

describe('replace-vm', () => {
  it("never hands the run's abort signal to terraform apply; an abort during the apply lets it finish and journals it", async () => {
    const controller = new AbortController();
    const { c, run, seen, apply, wrapApply } = setup(controller.signal);
    wrapApply(async (plan: InfrastructurePlan, signal?: AbortSignal) => {
      seen.applySignals.push(signal);
      controller.abort(new Error('SIGTERM')); // the runner is told to stop mid-apply
      await apply(plan, signal);
      if (signal?.aborted) throw new Error('apply killed');
    });
    const ctx = testContext(run, 'w-1/replace-vm');
    await takeVerifiedBackup(ctx, 'w-1');
    const result = await replaceVm.run(ctx);
    expect(seen.applySignals).toEqual([undefined]);
    expect(result.outcome).toBe('succeeded');
    expect(c.replacements['w-1']).toBe(1);
    expect(run.entries.some((e) => e.type === 'note' && e.data?.applyFinished === true)).toBe(true);
  });

  it('resume: the journaled apply is the evidence; the VM is not replaced a second time', async () => {
    const { c, run } = setup();
    const ctx = testContext(run, 'w-1/replace-vm');
    await takeVerifiedBackup(ctx, 'w-1');
    await replaceVm.run(ctx);
    expect(c.replacements['w-1']).toBe(1);
    const again = await replaceVm.run({
      ...testContext(run, 'w-1/replace-vm'),
      priorStarts: run.entries.slice(0, 1),
    });
    expect(again.message).toMatch(/already replaced: its apply finished/);
    expect(c.replacements['w-1']).toBe(1);
  });

  it('resume after a crash inside the apply (no journal note): a new systemUUID on the Node proves the replacement', async () => {
    const { c, run } = setup();
    const ctx = testContext(run, 'w-1/replace-vm');
    const getNode = run.ports.kubernetes.getNode.bind(run.ports.kubernetes);
    let uuid = 'old-uuid';
    run.ports.kubernetes.getNode = async (name) => {
      const view = await getNode(name);
      return view && { ...view, systemUUID: uuid };
    };
    const observed = await replaceVm.observe!(ctx);
    expect(observed).toEqual({ machine: { systemUUID: 'old-uuid' } });
    uuid = 'new-uuid'; // the fresh machine registered; the VMID may well be the same
    const prior = {
      type: 'step-started' as const,
      at: 0,
      runId: 'test',
      stepId: ctx.step.id,
      data: observed,
    };
    const result = await replaceVm.run({ ...ctx, priorStarts: [prior] });
    expect(result.message).toMatch(/new systemUUID new-uuid \(was old-uuid\)/);
    expect(c.replacements['w-1'] ?? 0).toBe(0);
  });

  it('the same VMID after the apply is no failure: the id is not the evidence', async () => {
    const { c, run, infra } = setup();
    infra.resourceIds = async (addresses) => Object.fromEntries(addresses.map((a) => [a, '101']));
    const ctx = testContext(run, 'w-1/replace-vm');
    await takeVerifiedBackup(ctx, 'w-1');
    const result = await replaceVm.run(ctx);
    expect(result.outcome).toBe('succeeded');
    expect(c.replacements['w-1']).toBe(1);
  });
});
