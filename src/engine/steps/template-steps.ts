/**
 * Template rebuilds: the new template is built before any VM that uses it is destroyed, so a
 * failed rebuild leaves every node as it was. The plan -target's the templates only (clones are
 * never dragged in) and each step says whether its template kept its VM ID. A template already at the version is skipped;
 * the others of a batch are rebuilt together in one state operation (see template-batch).
 */
import { DroverError } from '../../core/errors.js';
import type { StepContext, StepHandler, StepResult } from '../context.js';
import { ensureInfrastructureInit } from '../infrastructure-init.js';
import { templateBatchOf } from './template-batch.js';
import type { TemplateBatch } from './template-batch.js';

async function rebuildOne(
  ctx: StepContext<'rebuild-template'>,
  batch: TemplateBatch,
): Promise<StepResult> {
  const { address, version } = ctx.step.params;
  const infra = ctx.run.ports.infrastructure;
  await ensureInfrastructureInit(ctx.run);
  // Reads of the state too go through the state mutex: one operation at a time.
  const read = () =>
    ctx.run.stateMutex.runExclusive(() => infra.templateVersion(address, ctx.run.signal));
  const built = await ctx.call('infrastructure.templateVersion', { address }, read);
  if (built === version)
    return { outcome: 'skipped', message: `${address} is already built for ${version}` };
  const vmIds = (await batch.rebuild(ctx, address, version))[address];
  const idBefore = vmIds?.before;
  const idAfter = vmIds?.after;
  const after = await ctx.call('infrastructure.templateVersion', { address }, read);
  if (after !== version) {
    throw new DroverError(
      'failed',
      'TEMPLATE_NOT_REBUILT',
      `${address} reports ${after ?? 'no version'} after the rebuild, expected ${version}`,
      {
        hint: 'Check the template module builds from the new Talos image.',
      },
    );
  }
  const kept = idBefore !== undefined && idBefore === idAfter;
  // bpg: clone.vm_id is ForceNew. A new template VM ID changes every clone's plan; Drover's node
  // plans are -target'ed, so each clone is replaced only in its own unit, but an unscoped apply
  // by anyone else would replace all of them at once.
  const renumbered = idBefore !== undefined && idAfter !== undefined && !kept;
  const message = kept
    ? `${address} rebuilt for ${version}; its VM ID ${idBefore} was kept, so its clones are untouched`
    : renumbered
      ? `${address} rebuilt for ${version} under a new VM ID (${idBefore} -> ${idAfter}): every clone's clone.vm_id changes; Drover replaces each only in its own -target'ed plan. Do not run an unscoped terraform apply until the upgrade finishes.`
      : `${address} rebuilt for ${version}; its VM ID could not be compared (before ${idBefore ?? 'unknown'}, after ${idAfter ?? 'unknown'}): Drover's node plans are -target'ed, so clones are replaced only in their own units`;
  ctx.run.log(renumbered ? 'warn' : 'info', message);
  return {
    outcome: 'succeeded',
    message,
    data: { address, version, templateVmId: { before: idBefore, after: idAfter, kept } },
  };
}

export const rebuildTemplate: StepHandler<'rebuild-template'> = {
  async run(ctx) {
    const batch = templateBatchOf(ctx);
    try {
      return await rebuildOne(ctx, batch);
    } finally {
      // Skipped or failed before joining: the rest of the batch need not wait for this one.
      batch.leave(ctx.step.id);
    }
  },
};

export const verifyTemplates: StepHandler<'verify-templates'> = {
  async run(ctx) {
    const { version } = ctx.step.params;
    const wrong: string[] = [];
    await ensureInfrastructureInit(ctx.run);
    for (const address of ctx.step.params.addresses) {
      const v = await ctx.call('infrastructure.templateVersion', { address }, () =>
        ctx.run.stateMutex.runExclusive(() =>
          ctx.run.ports.infrastructure.templateVersion(address, ctx.run.signal),
        ),
      );
      if (v !== version) wrong.push(`${address} (${v ?? 'missing'})`);
    }
    if (wrong.length > 0) {
      throw new DroverError(
        'failed',
        'TEMPLATE_MISSING',
        `templates not at ${version}: ${wrong.join(', ')}`,
        {
          hint: 'No node was touched. Rebuild the listed templates, then run again with --resume.',
        },
      );
    }
    return { outcome: 'succeeded' };
  },
};
