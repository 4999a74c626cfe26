/**
 * Pets: `talosctl upgrade` of one node, knowing what it did (invariants evidence-of-change and noout-while-away).
 *
 * talosctl exits 1 when it loses the node in its reboot, and then the node may be rebooting,
 * upgraded, rolled back by Talos, or never coming back. So nothing is decided from talosctl's
 * exit: before every upgrade call and after it, Drover reads the node's real version AND boot ID
 * (the boot ID is what talosctl's own tracker compares, cmd/talosctl/pkg/talos/action/tracker.go
 * at v1.10.9 / v1.11.6), journals the read, and decides from it:
 *
 *   | read after an upgrade call            | meaning                    | outcome                      |
 *   |---------------------------------------|----------------------------|------------------------------|
 *   | target version                        | upgraded                   | succeeded                    |
 *   | other boot ID, old version            | Talos rolled back          | TALOS_UPGRADE_ROLLED_BACK     |
 *   | same boot ID, old version             | the call never reached it  | upgrade again, within policy |
 *   | no answer until the upgrade's timeout | never came back            | TALOS_NODE_NOT_BACK           |
 *
 * Upgrade calls are counted in the journal across processes, never more than policy.retry.attempts.
 * The run's abort signal is NOT passed to the upgrade: an abort lets it finish within its own
 * timeout, its outcome is journaled, then the run stops.
 */
import { DroverError, isDroverError, isRetryable } from '../../core/errors.js';
import type { InventoryNode } from '../../core/inventory.js';
import type { StepContext, StepHandler, StepResult } from '../context.js';
import { requireNode } from '../context.js';
import { abortError, backoffMs, pause } from '../retry.js';
import { isNodeBoot, note, readUntilAnswers, type NodeBoot } from './talos-boot-read.js';

interface IssuedUpgrade {
  at: number;
  before: NodeBoot;
}

/** Upgrade calls journaled for this step, by this process and earlier ones. */
function issuedUpgrades(ctx: StepContext): IssuedUpgrade[] {
  return ctx.run.entries.flatMap((e) => {
    if (e.type !== 'note' || e.stepId !== ctx.step.id) return [];
    const issued = e.data?.upgradeIssued;
    return isNodeBoot(issued) ? [{ at: e.at, before: issued }] : [];
  });
}

function rolledBack(node: InventoryNode, target: string, now: NodeBoot, before: NodeBoot) {
  return new DroverError(
    'failed',
    'TALOS_UPGRADE_ROLLED_BACK',
    `${node.name} rebooted (boot ${before.bootId} -> ${now.bootId}) but came back on Talos ${now.version}, not ${target}: Talos rolled the upgrade back`,
    {
      hint: `The new Talos did not boot on ${node.name} and Talos returned to the old version. Read the node's console and \`talosctl dmesg\` for why (installer image, schematic extensions, kernel arguments of the platform) before another attempt; Drover does not retry a rollback.`,
      details: { node: node.name, target, version: now.version, before, now },
    },
  );
}

function notBack(node: InventoryNode, seconds: number, last: unknown, before: NodeBoot) {
  const progress = isDroverError(last) ? last.details?.progress : undefined;
  const lastLine = (progress as { last?: unknown } | undefined)?.last;
  const said =
    typeof lastLine === 'string'
      ? `its last progress line was "${lastLine}"`
      : isDroverError(last)
        ? last.message
        : 'talosctl upgrade ended';
  return new DroverError(
    'failed',
    'TALOS_NODE_NOT_BACK',
    `${node.name} did not answer within ${seconds}s of its upgrade (last seen on Talos ${before.version}, boot ${before.bootId}); talosctl: ${said}`,
    {
      hint: `Look at the VM console of ${node.name} in Proxmox (stuck in the installer, a boot loop, no network). Drover did not upgrade it again; once it answers, run with --resume and its real version decides.`,
      details: { node: node.name, before, ...(progress ? { progress } : {}) },
    },
  );
}

function unreachable(node: InventoryNode) {
  return new DroverError(
    'failed',
    'TALOS_NODE_UNREACHABLE',
    `${node.name} does not answer; it was not upgraded`,
    { hint: `Check that ${node.name} is up and its Talos API reachable, then --resume.` },
  );
}

/**
 * What a read that answered decides (the table above): the step's result, a failure, or
 * undefined for "call the upgrade (again)".
 */
function decide(
  ctx: StepContext<'talos-upgrade'>,
  node: InventoryNode,
  now: NodeBoot,
  issued: IssuedUpgrade[],
  lastError: unknown,
): StepResult | undefined {
  const { version: target, image } = ctx.step.params;
  const attempts = Math.max(1, ctx.run.policy.retry.attempts);
  const previous = issued.at(-1);
  if (now.version === target) {
    return issued.length === 0
      ? { outcome: 'skipped', message: `${node.name} already runs Talos ${target}` }
      : { outcome: 'succeeded', data: { image, version: target, upgradeCalls: issued.length } };
  }
  if (previous && now.bootId !== previous.before.bootId)
    throw rolledBack(node, target, now, previous.before);
  if (issued.length >= attempts) {
    throw new DroverError(
      'failed',
      'TALOS_UPGRADE_ATTEMPTS',
      `${node.name} still runs Talos ${now.version} on the same boot after ${issued.length} upgrade call(s)`,
      {
        hint: 'The upgrade never reached the node (its boot did not change). Check the Talos API of the node and the installer image, then --resume.',
        details: {
          node: node.name,
          attempts,
          ...(isDroverError(lastError) ? { last: lastError.message } : {}),
        },
      },
    );
  }
  return undefined;
}

/**
 * One upgrade call, journaled before it goes out and with its outcome after. Returns the
 * transient error it ended with (the node may be rebooting), undefined when it returned.
 */
async function callUpgrade(
  ctx: StepContext<'talos-upgrade'>,
  node: InventoryNode,
  now: NodeBoot,
): Promise<unknown> {
  const { image } = ctx.step.params;
  const timeoutSeconds = ctx.run.policy.timeouts.talosUpgradeSeconds;
  // Right after the read: the call never goes out on an older one.
  await note(ctx, node, `talosctl upgrade ${node.name} to ${image}`, { upgradeIssued: now });
  try {
    // No signal: an abort never kills a running upgrade (invariant run-to-completion).
    await ctx.call(
      'talos.upgrade',
      { node: node.address, image },
      () => ctx.run.ports.talos.upgrade(node.address, { image, timeoutSeconds }),
      { retry: false },
    );
    await note(ctx, node, `talosctl upgrade of ${node.name} returned`, {
      upgradeOutcome: 'ok',
    });
    return undefined;
  } catch (error) {
    const code = isDroverError(error) ? error.code : 'UNEXPECTED';
    await note(ctx, node, `talosctl upgrade of ${node.name} failed: ${code}`, {
      upgradeOutcome: code,
    });
    // A refusal is synchronous: the node did not start anything, and retrying is futile.
    // Only a lost connection (transient) is worth a read and maybe another call.
    if (!isRetryable(error)) throw error;
    return error;
  }
}

export const talosUpgrade: StepHandler<'talos-upgrade'> = {
  destructive: true,
  async run(ctx) {
    const node = requireNode(ctx);
    const { clock } = ctx.run.ports;
    const timeoutSeconds = ctx.run.policy.timeouts.talosUpgradeSeconds;
    let lastError: unknown;
    for (;;) {
      const issued = issuedUpgrades(ctx);
      const previous = issued.at(-1);
      if (!previous && ctx.run.signal?.aborted) throw abortError(ctx.run.signal);
      // Before anything: the node's real version and boot. After an upgrade call (this process
      // or a crashed one), wait for it within that call's timeout.
      const deadline = previous
        ? previous.at + timeoutSeconds * 1000
        : clock.now() + ctx.run.policy.timeouts.gateSeconds * 1000;
      const now = await readUntilAnswers(ctx, node, deadline);
      if (now === undefined)
        throw previous
          ? notBack(node, timeoutSeconds, lastError, previous.before)
          : unreachable(node);
      const result = decide(ctx, node, now, issued, lastError);
      if (result) return result;
      if (ctx.run.signal?.aborted) throw abortError(ctx.run.signal);
      if (previous)
        ctx.run.log(
          'warn',
          `${node.name} is still on Talos ${now.version}, same boot: the upgrade did not reach it; calling it again`,
          node.name,
        );
      lastError = await callUpgrade(ctx, node, now);
      // The outcome is journaled: now the run may stop.
      if (ctx.run.signal?.aborted) throw abortError(ctx.run.signal);
      // Back off before the read that decides: a node in its reboot needs the time anyway.
      if (lastError !== undefined)
        await pause(clock, backoffMs(issued.length + 1, ctx.run.policy.retry));
    }
  },
};
