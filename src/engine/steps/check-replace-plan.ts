/**
 * Control plane: the node's Terraform plan is made and scope-checked BEFORE its etcd member
 * leaves, so a plan that would recreate a bootstrap or secrets resource (or reach beyond the
 * node) is refused while etcd is still whole (invariant scoped-terraform, issue 10). The plan is discarded:
 * replace-vm plans afresh after the leave (a saved plan goes stale with any state change) and
 * checks again. Idempotent: it changes nothing, so a resumed run may run it again.
 */
import type { StepHandler } from '../context.js';
import { requireNode } from '../context.js';
import { assertPlanScope } from '../scope-check.js';
import { ensureFreshBackup } from '../state-backup.js';
import { journalPlanStarting, releaseOwnStaleLock } from '../state-lock-recovery.js';

export const checkReplacePlan: StepHandler<'check-replace-plan'> = {
  async run(ctx) {
    const node = requireNode(ctx);
    const addresses = ctx.step.params.addresses;
    const infra = ctx.run.ports.infrastructure;
    const signal = ctx.run.signal;
    return ctx.run.stateMutex.runExclusive(async () => {
      // The backup the replacement will rely on exists before anything leaves etcd.
      await ensureFreshBackup(ctx, node.name);
      const planOnce = async () => {
        await journalPlanStarting(ctx);
        return ctx.call('infrastructure.plan', { replace: addresses, check: true }, () =>
          infra.plan({ replace: addresses, ...(signal ? { signal } : {}) }),
        );
      };
      // A plan killed with its process (this step, an earlier attempt) left this run's lock.
      const plan = await planOnce().catch(async (error: unknown) => {
        if (!(await releaseOwnStaleLock(ctx, error))) throw error;
        return planOnce();
      });
      try {
        assertPlanScope(plan, addresses, `the VM of ${node.name}`);
      } finally {
        await infra.discardPlan?.(plan);
      }
      return {
        outcome: 'succeeded' as const,
        message: `${plan.changes.length} change(s), all within the VM of ${node.name}`,
        data: { changes: plan.changes.map((c) => `${c.address} (${c.actions.join(',')})`) },
      };
    });
  },
};
