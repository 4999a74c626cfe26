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
 * Workers started together share one plan and apply (vm-batch.ts); the evidence stays per node.
 */
import type { StepContext, StepHandler } from '../context.js';
import { requireNode } from '../context.js';
import { ensureInfrastructureInit } from '../infrastructure-init.js';
import { vmBatchOf } from './vm-batch.js';

interface Machine {
  systemUUID?: string;
  bootID?: string;
}

function machineOf(data: Record<string, unknown> | undefined): Machine | undefined {
  const m = data?.machine;
  return m !== null && typeof m === 'object' ? (m as Machine) : undefined;
}

async function readMachine(ctx: StepContext, name: string): Promise<Machine | undefined> {
  const view = await ctx.run.kubernetes.nodeReads.getNode(name).catch(() => undefined);
  if (!view) return undefined;
  return {
    ...(view.systemUUID ? { systemUUID: view.systemUUID } : {}),
    ...(view.bootID ? { bootID: view.bootID } : {}),
  };
}

/** Why the VM is known to be recreated already, or undefined. */
async function replacementEvidence(
  ctx: StepContext<'replace-vm'>,
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
  return createdByDeadApply(ctx, answer);
}

/**
 * An apply that died before its end was journaled: Terraform persists the state after each
 * resource operation, so a state past the serial the apply started from that holds every VM
 * resource again means the dead apply created them (a destroyed-only VM is absent).
 */
async function createdByDeadApply(
  ctx: StepContext<'replace-vm'>,
  answer: string,
): Promise<string | undefined> {
  const notes = ctx.run.entries.filter((e) => e.type === 'note' && e.stepId === ctx.step.id);
  const started = notes.filter((e) => e.data?.applyStarting === true).at(-1);
  const serial = started?.data?.serial;
  if (!started || typeof serial !== 'number') return undefined;
  // In a batch the state also moves for the other nodes: this node's VM may never have been
  // touched. Its old machine still answering (with its certificate, or configured) says so.
  const batch = started.data?.batch;
  if (Array.isArray(batch) && batch.length > 1 && (answer === 'x509' || answer === 'configured'))
    return undefined;
  const infra = ctx.run.ports.infrastructure;
  const now = await infra.pullState(ctx.run.signal);
  if (now.serial <= serial) return undefined;
  const addresses = ctx.step.params.addresses;
  const ids = await infra.resourceIds(addresses, ctx.run.signal);
  if (!addresses.every((a) => ids[a] !== undefined)) return undefined;
  return `the state moved past serial ${serial} and holds the VM again: the apply that died created it`;
}

export const replaceVm: StepHandler<'replace-vm'> = {
  destructive: true,
  async observe(ctx) {
    const machine = await readMachine(ctx, requireNode(ctx).name);
    return machine ? { machine } : undefined;
  },
  async run(ctx) {
    requireNode(ctx);
    const batch = vmBatchOf(ctx);
    try {
      const addresses = ctx.step.params.addresses;
      const original = machineOf(ctx.priorStarts[0]?.data) ?? machineOf(ctx.observed);
      await ensureInfrastructureInit(ctx.run);
      // A failed apply may have changed the state half-way: each attempt re-reads the evidence,
      // re-checks the backup against the state's serial and plans afresh (a saved plan goes stale).
      return await batch.replace({
        ctx,
        addresses,
        evidence: (attempt) =>
          replacementEvidence(ctx, original, ctx.priorStarts.length > 0 || attempt > 1),
        data: original ? { previous: original } : {},
      });
    } finally {
      // Failed before deciding: the rest of the batch need not wait for this node.
      batch.leave(ctx.step.id);
    }
  },
};
