/**
 * Recreates a node's VM: a scoped plan (`-target` the node's module instance, `-replace` its VM
 * resources), the scope check, then the apply, under the state mutex.
 *
 * What it did is known from evidence that changes on every create, never from a Terraform
 * resource id (on Proxmox that is the VMID, which a pinned vm_id keeps and Proxmox reuses):
 * - the apply's own completion, journaled as a note right after it returns;
 * - the Kubernetes Node's status.nodeInfo.systemUUID differing from the one seen before the
 *   first attempt (journaled in its step-started entry);
 * - a fresh machine answering in maintenance mode at the node's address (a configured node
 *   never does).
 * Resume reads the same evidence, so a VM is replaced exactly once. An apply that died after the
 * destroy leaves the VM out of the state: the plan then creates it, which the scope check allows.
 */
import type { StepContext, StepHandler } from '../context.js';
import { listParam, requireNode } from '../context.js';
import { withRetry } from '../retry.js';
import { appendEntry } from '../run-step.js';
import { assertPlanScope } from '../scope-check.js';
import { ensureInfrastructureInit } from '../infrastructure-init.js';
import { ensureFreshBackup } from '../state-backup.js';
import {
  journalApplyStarting,
  journalPlanStarting,
  releaseOwnStaleLock,
} from '../state-lock-recovery.js';

interface Machine {
  systemUUID?: string;
  bootID?: string;
}

function machineOf(data: Record<string, unknown> | undefined): Machine | undefined {
  const m = data?.machine;
  return m !== null && typeof m === 'object' ? (m as Machine) : undefined;
}

async function readMachine(ctx: StepContext, name: string): Promise<Machine | undefined> {
  const view = await ctx.run.ports.kubernetes.getNode(name).catch(() => undefined);
  if (!view) return undefined;
  return {
    ...(view.systemUUID ? { systemUUID: view.systemUUID } : {}),
    ...(view.bootID ? { bootID: view.bootID } : {}),
  };
}

/** Why the VM is known to be recreated already, or undefined. */
async function replacementEvidence(
  ctx: StepContext,
  original: Machine | undefined,
  lookAtMachine: boolean,
): Promise<string | undefined> {
  const node = requireNode(ctx);
  const applied = ctx.run.entries.some(
    (e) => e.type === 'note' && e.stepId === ctx.step.id && e.data?.applyFinished === true,
  );
  if (applied) return 'its apply finished (journal)';
  if (!lookAtMachine) return undefined;
  const now = await readMachine(ctx, node.name);
  if (original?.systemUUID && now?.systemUUID && now.systemUUID !== original.systemUUID)
    return `the Node reports a new systemUUID ${now.systemUUID} (was ${original.systemUUID})`;
  const answer = await ctx.run.ports.talos.probe(node.address).catch(() => 'unreachable');
  if (answer === 'maintenance')
    return `a fresh machine answers in maintenance mode at ${node.address}`;
  return createdByDeadApply(ctx);
}

/**
 * An apply that died before its end was journaled: Terraform persists the state after each
 * resource operation, so a state past the serial the apply started from that holds every VM
 * resource again means the dead apply created them (a destroyed-only VM is absent).
 */
async function createdByDeadApply(ctx: StepContext): Promise<string | undefined> {
  const notes = ctx.run.entries.filter((e) => e.type === 'note' && e.stepId === ctx.step.id);
  const started = notes.filter((e) => e.data?.applyStarting === true).at(-1);
  const serial = started?.data?.serial;
  if (!started || typeof serial !== 'number') return undefined;
  const infra = ctx.run.ports.infrastructure;
  const now = await infra.pullState(ctx.run.signal);
  if (now.serial <= serial) return undefined;
  const addresses = listParam(ctx, 'addresses');
  const ids = await infra.resourceIds(addresses, ctx.run.signal);
  if (!addresses.every((a) => ids[a] !== undefined)) return undefined;
  return `the state moved past serial ${serial} and holds the VM again: the apply that died created it`;
}

export const replaceVm: StepHandler = {
  destructive: true,
  async observe(ctx) {
    const machine = await readMachine(ctx, requireNode(ctx).name);
    return machine ? { machine } : undefined;
  },
  async run(ctx) {
    const node = requireNode(ctx);
    const addresses = listParam(ctx, 'addresses');
    const original = machineOf(ctx.priorStarts[0]?.data) ?? machineOf(ctx.observed);
    const what = `the VM of ${node.name}`;
    let attempt = 0;
    await ensureInfrastructureInit(ctx.run);
    // A failed apply may have changed the state half-way: each attempt re-reads the evidence,
    // re-checks the backup against the state's serial and plans afresh (a saved plan goes stale).
    return withRetry(
      () =>
        ctx.run.stateMutex.runExclusive(async () => {
          attempt += 1;
          const once = { retry: false };
          const evidence = await replacementEvidence(
            ctx,
            original,
            ctx.priorStarts.length > 0 || attempt > 1,
          );
          if (evidence) {
            ctx.run.log(
              'info',
              `${what} was already recreated (${evidence}); not replacing it again`,
              node.name,
            );
            return {
              outcome: 'succeeded' as const,
              message: `already replaced: ${evidence}`,
              data: { vmReplaced: true, evidence },
            };
          }
          const backup = await ensureFreshBackup(ctx, node.name);
          const planOnce = async () => {
            await journalPlanStarting(ctx);
            return ctx.call(
              'infrastructure.plan',
              { replace: addresses },
              () =>
                ctx.run.ports.infrastructure.plan({
                  replace: addresses,
                  ...(ctx.run.signal ? { signal: ctx.run.signal } : {}),
                }),
              once,
            );
          };
          // An apply that died with its process left this run's own lock: release it, plan again
          // (the plan reads the state as the dead apply left it: a destroyed VM is created).
          const plan = await planOnce().catch(async (error: unknown) => {
            if (!(await releaseOwnStaleLock(ctx, error))) throw error;
            return planOnce();
          });
          try {
            assertPlanScope(plan, addresses, what);
          } catch (error) {
            await ctx.run.ports.infrastructure.discardPlan?.(plan);
            throw error;
          }
          const created = plan.changes
            .filter((c) => c.actions.includes('create'))
            .map((c) => c.address);
          await journalApplyStarting(ctx, plan.id, backup.serial);
          await ctx.call(
            'infrastructure.apply',
            { plan: plan.id, changes: plan.changes.map((c) => c.address) },
            // Never the run's abort signal: an apply killed half-way leaves the VM destroyed and
            // not created. It finishes within its own timeout, is journaled, then the run stops.
            () => ctx.run.ports.infrastructure.apply(plan),
            once,
          );
          await appendEntry(ctx.run, {
            type: 'note',
            stepId: ctx.step.id,
            node: node.name,
            action: ctx.step.action,
            message: `terraform apply recreated ${created.join(', ')}`,
            data: { applyFinished: true, created },
          });
          return {
            outcome: 'succeeded' as const,
            data: { vmReplaced: true, created, ...(original ? { previous: original } : {}) },
          };
        }),
      {
        clock: ctx.run.ports.clock,
        retry: ctx.run.policy.retry,
        ...(ctx.run.signal ? { signal: ctx.run.signal } : {}),
        onRetry: (error, attempt) =>
          ctx.run.log(
            'warn',
            `replacing ${what} failed (attempt ${attempt}), retrying: ${String((error as Error).message)}`,
            node.name,
          ),
      },
    );
  },
};
