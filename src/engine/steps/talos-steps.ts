/** In-place upgrades: Talos (pets) and Kubernetes (upgrade-k8s, one hop per step). */
import { DroverError } from '../../core/errors.js';
import { controlPlaneNodes } from '../../core/inventory.js';
import type { StepHandler } from '../context.js';
import { requireNode, stringParam } from '../context.js';

export const talosUpgrade: StepHandler = {
  destructive: true,
  async run(ctx) {
    const node = requireNode(ctx);
    const version = stringParam(ctx, 'version') ?? ctx.run.plan.to;
    const image = stringParam(ctx, 'image');
    if (image === undefined)
      throw new DroverError('input', 'STEP_PARAMS', `${ctx.step.id}: no installer image`);
    const talos = ctx.run.ports.talos;
    if (
      (await ctx.call('talos.version', { node: node.address }, () =>
        talos.version(node.address),
      )) === version
    ) {
      return { outcome: 'skipped', message: `${node.name} already runs Talos ${version}` };
    }
    await ctx.call('talos.upgrade', { node: node.address, image }, async (attempt) => {
      // The call may have failed after the node did upgrade (connection drop in the reboot):
      // the real version decides, before any retry.
      if (attempt > 1 && (await talos.version(node.address).catch(() => undefined)) === version)
        return;
      try {
        await talos.upgrade(node.address, {
          image,
          timeoutSeconds: ctx.run.policy.timeouts.talosUpgradeSeconds,
          ...(ctx.run.signal ? { signal: ctx.run.signal } : {}),
        });
      } catch (error) {
        if ((await talos.version(node.address).catch(() => undefined)) === version) {
          ctx.run.log(
            'warn',
            `talosctl upgrade reported an error but ${node.name} runs ${version}`,
            node.name,
          );
          return;
        }
        throw error;
      }
    });
    return { outcome: 'succeeded', data: { image, version } };
  },
};

export const k8sUpgrade: StepHandler = {
  async run(ctx) {
    const to = stringParam(ctx, 'to');
    if (to === undefined)
      throw new DroverError('input', 'STEP_PARAMS', `${ctx.step.id}: no target version`);
    const dryRun = ctx.step.params.dryRun === true;
    const node = controlPlaneNodes(ctx.run.inventory)[0];
    if (!node)
      throw new DroverError('input', 'NO_CONTROL_PLANE', 'the inventory has no control plane node');
    // Re-running upgrade-k8s is safe: up-to-date components are skipped.
    const output = await ctx.call(
      'talos.upgradeKubernetes',
      { node: node.address, to, dryRun },
      () =>
        ctx.run.ports.talos.upgradeKubernetes({
          node: node.address,
          to,
          dryRun,
          ...(ctx.run.signal ? { signal: ctx.run.signal } : {}),
        }),
    );
    const lines = output.split('\n').filter((l) => l.trim() !== '').length;
    return { outcome: 'succeeded', data: { to, dryRun, outputLines: lines } };
  },
};
