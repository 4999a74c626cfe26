/**
 * The reads a Talos upgrade decides from (talos-steps-upgrade.ts): the node's version and boot
 * ID, each read journaled, and read again while the node may be rebooting.
 */
import type { InventoryNode } from '../../core/inventory.js';
import { isRetryable } from '../../core/errors.js';
import type { StepContext } from '../context.js';
import { pause } from '../retry.js';
import { appendEntry } from '../journal-append.js';

/** What one read of the node said. */
export interface NodeBoot {
  version: string;
  bootId: string;
}

/** How often an unreachable node is read again while it may be rebooting. */
const POLL_SECONDS = 10;

export const isNodeBoot = (value: unknown): value is NodeBoot =>
  value !== null &&
  typeof value === 'object' &&
  typeof (value as NodeBoot).version === 'string' &&
  typeof (value as NodeBoot).bootId === 'string';

/** One read of version and boot ID, journaled as a note; undefined when the node does not answer. */
async function readNode(ctx: StepContext, node: InventoryNode): Promise<NodeBoot | undefined> {
  const { talos } = ctx.run.ports;
  try {
    const version = await ctx.call(
      'talos.version',
      { node: node.address },
      () => talos.version(node.address),
      { retry: false },
    );
    const bootId = await ctx.call(
      'talos.bootId',
      { node: node.address },
      () => talos.bootId(node.address),
      { retry: false },
    );
    const read = { version, bootId };
    await note(ctx, node, `read ${node.name}: Talos ${version}, boot ${bootId}`, { read });
    return read;
  } catch (error) {
    // Not answering (rebooting, down) is an answer to wait on; anything else is not.
    if (isRetryable(error)) return undefined;
    throw error;
  }
}

/** Reads until the node answers or the deadline passes; undefined at the deadline. */
export async function readUntilAnswers(
  ctx: StepContext,
  node: InventoryNode,
  deadline: number,
): Promise<NodeBoot | undefined> {
  const { clock } = ctx.run.ports;
  for (;;) {
    const read = await readNode(ctx, node);
    if (read) return read;
    if (clock.now() >= deadline) return undefined;
    // No run signal here: a node mid-upgrade is read to the end before the run stops.
    await pause(clock, Math.min(POLL_SECONDS * 1000, Math.max(1, deadline - clock.now())));
  }
}

/** A note of this step about its node, in the journal. */
export async function note(
  ctx: StepContext,
  node: InventoryNode,
  message: string,
  data: Record<string, unknown>,
): Promise<void> {
  await appendEntry(ctx.run, {
    type: 'note',
    stepId: ctx.step.id,
    action: ctx.step.action,
    node: node.name,
    message,
    data,
  });
}
