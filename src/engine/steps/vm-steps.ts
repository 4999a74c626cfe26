/**
 * The cattle replace cycle: state backup, etcd leave, maintenance mode, machine config (the VM
 * replacement itself is in replace-vm.ts). Each handler re-checks live state first so a
 * resumed run never repeats what already happened (a VM is never replaced twice).
 */
import { createHash } from 'node:crypto';
import { DroverError } from '../../core/errors.js';
import { block, wait, PASS } from '../../core/gates.js';
import { etcdQuorumGate } from '../../core/gates-etcd.js';
import { applyPatches } from '../../core/machine-config-patch.js';
import type { InventoryNode } from '../../core/inventory.js';
import type { StepContext, StepHandler } from '../context.js';
import { requireNode } from '../context.js';
import { moveLeadershipAway, readEtcd } from '../etcd-reading.js';
import { runGate } from '../gate-runner.js';
import { takeVerifiedBackup } from '../state-backup.js';
import { batchBackupOf } from './vm-batch-backup.js';

/** Units started together share one backup (vm-batch-backup.ts); a lone unit takes its own. */
export const backupState: StepHandler = {
  async run(ctx) {
    const node = requireNode(ctx);
    const shared = batchBackupOf(ctx);
    if (shared !== undefined) {
      const { backup, takenBy } = await shared.backup(ctx);
      return {
        outcome: 'succeeded',
        message:
          takenBy === undefined ? backup.key : `${backup.key} (taken for its batch by ${takenBy})`,
        data: { backup, ...(takenBy === undefined ? {} : { takenBy }) },
      };
    }
    const backup = await ctx.run.stateMutex.runExclusive(() => takeVerifiedBackup(ctx, node.name));
    return { outcome: 'succeeded', message: backup.key, data: { backup } };
  },
};

type EtcdReading = Awaited<ReturnType<typeof readEtcd>>;

export const etcdLeave: StepHandler = {
  destructive: true,
  async run(ctx) {
    const node = requireNode(ctx);
    const before = await readEtcd(ctx, node.name);
    if (before.members !== undefined && !before.members.some((m) => m.hostname === node.name)) {
      return { outcome: 'skipped', message: `${node.name} is not an etcd member (already left)` };
    }
    const reading = await quorumHoldsWithout(ctx, node, before);
    // Who leads, from the reading the quorum gate passed on.
    await moveLeadershipAway(ctx, node, reading);
    await leave(ctx, node);
    await runGate(
      ctx,
      async () => {
        const r = await readEtcd(ctx, node.name);
        if (r.members === undefined) return wait('etcd member list unreadable');
        return r.members.some((m) => m.hostname === node.name)
          ? wait(`${node.name} is still listed`)
          : PASS;
      },
      {
        deadlineSeconds: ctx.run.policy.timeouts.gateSeconds,
        timeoutCode: 'ETCD_LEAVE_FAILED',
        category: 'failed',
        hint: 'The member is still listed; remove it with talosctl etcd remove-member before going on.',
      },
    );
    return { outcome: 'succeeded' };
  },
};

/**
 * Time passed since the gate (drain): the others must still be healthy right now. The
 * reading just taken is the first one judged (a read costs seconds); a wait reads afresh.
 * Returns the reading the gate passed on.
 */
async function quorumHoldsWithout(
  ctx: StepContext,
  node: InventoryNode,
  before: EtcdReading,
): Promise<EtcdReading | undefined> {
  let reading: EtcdReading | undefined = before;
  await runGate(
    ctx,
    async () => {
      reading ??= await readEtcd(ctx, node.name);
      const decision = etcdQuorumGate(reading, {
        excluding: node.name,
        expectedMembers: ctx.run.inventory.expectedEtcdMembers,
      });
      if (decision.verdict !== 'pass') reading = undefined;
      return decision;
    },
    {
      deadlineSeconds: ctx.run.policy.timeouts.gateSeconds,
      timeoutCode: 'ETCD_UNHEALTHY',
      category: 'refused',
      hint: 'Every other etcd member must answer healthy before a member leaves.',
    },
  );
  return reading;
}

/** The node leaves etcd; when it does not answer, its member is removed through a healthy peer. */
async function leave(ctx: StepContext, node: InventoryNode): Promise<void> {
  try {
    await ctx.call('talos.etcdLeave', { node: node.address }, () =>
      ctx.run.ports.talos.etcdLeave(node.address),
    );
  } catch (error) {
    // The departing node may not answer; remove its member through a healthy peer instead.
    const reading = await readEtcd(ctx, node.name);
    const member = reading.members?.find((m) => m.hostname === node.name);
    if (reading.members === undefined || reading.via === undefined) throw error;
    if (member !== undefined) {
      const via = reading.via;
      ctx.run.log(
        'warn',
        `etcd leave on ${node.name} failed; removing member ${member.id} via ${via}`,
        node.name,
      );
      await ctx.call('talos.etcdRemoveMember', { via, memberId: member.id }, () =>
        ctx.run.ports.talos.etcdRemoveMember(via, member.id),
      );
    }
  }
}

/** A fresh VM answers insecurely in maintenance mode; x509 means the old VM is still there. */
export const waitMaintenance: StepHandler<'wait-maintenance'> = {
  async run(ctx) {
    const node = requireNode(ctx);
    const { address } = ctx.step.params;
    const { checks } = await runGate(
      ctx,
      async () => {
        const answer = await ctx.run.ports.talos.probe(address);
        if (answer === 'maintenance') return PASS;
        if (answer === 'x509')
          return block(
            'TALOS_OLD_VM_ANSWERS',
            `${address} answers with a certificate: the old VM is still running there`,
          );
        return wait(`${address} answers ${answer}`);
      },
      {
        deadlineSeconds: ctx.run.policy.timeouts.maintenanceModeSeconds,
        timeoutCode: 'MAINTENANCE_TIMEOUT',
        category: 'failed',
        hint: `Check the VM of ${node.name} booted from the new template and got its address.`,
        // Talos has no event for "a fresh machine's API is up": a probe is one connection
        // attempt, so probe steadily rather than overshoot the boot by a doubling delay.
        intervalSeconds: 2,
        steady: true,
      },
    );
    return { outcome: 'succeeded', data: { checks } };
  },
};

export const applyConfig: StepHandler<'apply-config'> = {
  async run(ctx) {
    const node = requireNode(ctx);
    const { address, patches: patchIds } = ctx.step.params;
    let answer = 'unreachable';
    await runGate(
      ctx,
      async () => {
        answer = await ctx.run.ports.talos.probe(address);
        if (answer === 'maintenance' || answer === 'configured') return PASS;
        if (answer === 'x509')
          return block('TALOS_OLD_VM_ANSWERS', `${address} answers with another identity (x509)`);
        return wait(`${address} answers ${answer}`);
      },
      {
        deadlineSeconds: ctx.run.policy.timeouts.maintenanceModeSeconds,
        timeoutCode: 'MAINTENANCE_TIMEOUT',
        category: 'failed',
        hint: `The fresh VM of ${node.name} stopped answering before its config was applied.`,
        intervalSeconds: 2,
        steady: true,
      },
    );
    if (answer === 'configured')
      return { outcome: 'skipped', message: `${node.name} is already configured` };
    const base = await ctx.call(
      'secrets.machineConfig',
      { node: node.name, source: node.machineConfig },
      () => ctx.run.ports.secrets.machineConfig(node, ctx.run.signal),
    );
    ctx.run.redactor.add(base);
    const contents = patchIds.map((id) => {
      const patch = ctx.run.inventory.patches[id];
      if (!patch)
        throw new DroverError(
          'input',
          'PATCH_UNKNOWN',
          `patch "${id}" of ${node.name} is not defined`,
        );
      return patch.content;
    });
    const config = applyPatches(base, contents);
    ctx.run.redactor.add(config);
    const digest = createHash('sha256').update(config).digest('hex').slice(0, 16);
    await ctx.call(
      'talos.applyConfig',
      { address, insecure: true, patches: patchIds, configSha256: digest },
      async () => {
        // A call that failed may still have applied: a configured node needs nothing more.
        if ((await ctx.run.ports.talos.probe(address)) === 'configured') return;
        await ctx.run.ports.talos.applyConfig(address, config, {
          insecure: true,
          ...(ctx.run.signal ? { signal: ctx.run.signal } : {}),
        });
      },
    );
    return { outcome: 'succeeded', data: { patches: patchIds, configSha256: digest } };
  },
};
