import { describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import type { InfrastructurePlan, PlanRequest } from '../../ports/infrastructure.js';
import { twinRun } from '../testing/twin-run.js';
import { replaceVm } from './replace-vm.js';
import { takeVerifiedBackup } from '../state-backup.js';

/** The twin's ports, with the infrastructure's apply and plan observed. */
async function setup(signal?: AbortSignal) {
  const t = await twinRun(signal ? { signal } : {});
  const { run } = t;
  /** VM replacements the world saw, by node. */
  const replacements = (node: string) => t.cluster.vmReplacements()[node] ?? 0;
  const infra = run.ports.infrastructure;
  const seen = { applySignals: [] as (AbortSignal | undefined)[], plans: [] as PlanRequest[] };
  const plan = infra.plan.bind(infra);
  const apply = infra.apply.bind(infra);
  infra.plan = (request) => {
    seen.plans.push(request);
    return plan(request);
  };
  return {
    replacements,
    run,
    infra,
    seen,
    apply,
    context: t.context,
    wrapApply: (fn: typeof infra.apply) => (infra.apply = fn),
  };
}

describe('replace-vm', () => {
  it("never hands the run's abort signal to terraform apply; an abort during the apply lets it finish and journals it", async () => {
    const controller = new AbortController();
    const { replacements, run, context, seen, apply, wrapApply } = await setup(controller.signal);
    wrapApply(async (plan: InfrastructurePlan, signal?: AbortSignal) => {
      seen.applySignals.push(signal);
      controller.abort(new Error('SIGTERM')); // the runner is told to stop mid-apply
      await apply(plan, signal);
      if (signal?.aborted) throw new Error('apply killed');
    });
    const ctx = context('w-1/replace-vm');
    await takeVerifiedBackup(ctx, 'w-1');
    const result = await replaceVm.run(ctx);
    expect(seen.applySignals).toEqual([undefined]);
    expect(result.outcome).toBe('succeeded');
    expect(replacements('w-1')).toBe(1);
    expect(run.entries.some((e) => e.type === 'note' && e.data?.applyFinished === true)).toBe(true);
  });

  it('resume: the journaled apply is the evidence; the VM is not replaced a second time', async () => {
    const { replacements, run, context } = await setup();
    const ctx = context('w-1/replace-vm');
    await takeVerifiedBackup(ctx, 'w-1');
    await replaceVm.run(ctx);
    expect(replacements('w-1')).toBe(1);
    const again = await replaceVm.run({
      ...context('w-1/replace-vm'),
      priorStarts: run.entries.slice(0, 1),
    });
    expect(again.message).toMatch(/already replaced: its apply finished/);
    expect(replacements('w-1')).toBe(1);
  });

  it('resume after a crash inside the apply (no journal note): a new systemUUID on the Node proves the replacement', async () => {
    const { replacements, run, context } = await setup();
    const ctx = context('w-1/replace-vm');
    const nodes = run.kubernetes.nodeReads;
    const getNode = nodes.getNode.bind(nodes);
    let uuid = 'old-uuid';
    nodes.getNode = async (name) => {
      const view = await getNode(name);
      return view && { ...view, systemUUID: uuid };
    };
    const observed = await replaceVm.observe!(ctx);
    expect(observed).toMatchObject({ machine: { systemUUID: 'old-uuid' } });
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
    expect(replacements('w-1')).toBe(0);
  });

  it("resume after a crash between the apply's end and its journal note, fresh VM still booting: the state serial proves it", async () => {
    const { replacements, run, context } = await setup();
    const ctx = context('w-1/replace-vm');
    const t0 = run.ports.clock.now();
    const serial = (await run.ports.infrastructure.pullState()).serial;
    run.entries.push({
      type: 'note',
      at: t0,
      runId: 'test',
      stepId: ctx.step.id,
      data: { applyStarting: true, serial },
    });
    run.ports.talos.probe = async () => 'unreachable'; // booting
    const prior = { type: 'step-started' as const, at: t0, runId: 'test', stepId: ctx.step.id };
    // Nothing changed the state yet: the apply never got going, so it is replaced.
    const first = await replaceVm.run({ ...ctx, priorStarts: [prior] });
    expect(first.message).toBeUndefined();
    expect(replacements('w-1')).toBe(1);
    // A second resume of the same step with the state moved on and the VM present: not again.
    run.entries.splice(
      run.entries.findIndex((e) => e.data?.applyFinished === true),
      1,
    );
    const again = await replaceVm.run({ ...ctx, priorStarts: [prior] });
    expect(again.message).toMatch(/state moved past serial \d+ and holds the VM again/);
    expect(replacements('w-1')).toBe(1);
  });

  it('the same VMID after the apply is no failure: the id is not the evidence', async () => {
    const { replacements, context, infra } = await setup();
    infra.resourceIds = async (addresses) => Object.fromEntries(addresses.map((a) => [a, '101']));
    const ctx = context('w-1/replace-vm');
    await takeVerifiedBackup(ctx, 'w-1');
    const result = await replaceVm.run(ctx);
    expect(result.outcome).toBe('succeeded');
    expect(replacements('w-1')).toBe(1);
  });

  describe("a state lock left by this run's apply that died in an earlier process", () => {
    async function lockedSetup(
      who: string,
      options: { prior?: boolean; journaled?: boolean } = {},
    ) {
      const { replacements, run, context, infra } = await setup();
      const ctx0 = context('w-1/replace-vm');
      const t0 = run.ports.clock.now();
      let locked = true;
      const unlocked: string[] = [];
      infra.lockOwner = () => 'drover@runner-1';
      infra.forceUnlock = async (id) => {
        unlocked.push(id);
        locked = false;
      };
      const plan = infra.plan.bind(infra);
      infra.plan = async (request) => {
        if (locked)
          throw new DroverError('failed', 'TF_STATE_LOCKED', 'the Terraform state is locked', {
            details: {
              lock: {
                id: 'L-1',
                who,
                operation: 'OperationTypeApply',
                created: new Date(t0 + 2000).toISOString(),
              },
            },
          });
        return plan(request);
      };
      if (options.journaled !== false)
        run.entries.push({
          type: 'note',
          at: t0,
          runId: 'test',
          stepId: ctx0.step.id,
          data: { applyStarting: true, lockWho: 'drover@runner-1' },
        });
      // This attempt's own start (run-step writes it before the handler runs).
      run.entries.push({ type: 'step-started', at: t0 + 1, runId: 'test', stepId: ctx0.step.id });
      const prior =
        options.prior === false
          ? []
          : [{ type: 'step-started' as const, at: t0 - 1000, runId: 'test', stepId: ctx0.step.id }];
      return { replacements, run, unlocked, ctx: { ...ctx0, priorStarts: prior } };
    }

    it('is released with force-unlock of its ID, journaled, and the node is finished', async () => {
      const { replacements, run, unlocked, ctx } = await lockedSetup('drover@runner-1');
      await takeVerifiedBackup(ctx, 'w-1');
      const result = await replaceVm.run(ctx);
      expect(result.outcome).toBe('succeeded');
      expect(unlocked).toEqual(['L-1']);
      expect(run.entries.some((e) => e.data?.forceUnlocked === 'L-1')).toBe(true);
      expect(replacements('w-1')).toBe(1);
    });

    it('is refused while a terraform of this runner still works in the directory', async () => {
      const { replacements, unlocked, ctx, run } = await lockedSetup('drover@runner-1');
      run.ports.infrastructure.localTerraformRunning = async () => true;
      await takeVerifiedBackup(ctx, 'w-1');
      await expect(replaceVm.run(ctx)).rejects.toMatchObject({ code: 'TF_STATE_LOCKED' });
      expect(unlocked).toEqual([]);
      expect(replacements('w-1')).toBe(0);
    });

    it.each([
      ['another holder', 'alice@laptop', {}],
      ['a first attempt (no earlier process)', 'drover@runner-1', { prior: false }],
      ['no journaled apply', 'drover@runner-1', { journaled: false }],
    ] as const)('is refused for %s', async (_name, who, options) => {
      const { replacements, unlocked, ctx } = await lockedSetup(who, options);
      await takeVerifiedBackup(ctx, 'w-1');
      await expect(replaceVm.run(ctx)).rejects.toMatchObject({ code: 'TF_STATE_LOCKED' });
      expect(unlocked).toEqual([]);
      expect(replacements('w-1')).toBe(0);
    });
  });
});
