/** In-place upgrades: Talos (pets) and Kubernetes (upgrade-k8s, one hop per step). */
import { DroverError } from '../../core/errors.js';
import { controlPlaneNodes } from '../../core/inventory.js';
import type { StepHandler } from '../context.js';

export { talosUpgrade } from './talos-steps-upgrade.js';

export const k8sUpgrade: StepHandler<'k8s-upgrade'> = {
  async run(ctx) {
    const { to, dryRun } = ctx.step.params;
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
