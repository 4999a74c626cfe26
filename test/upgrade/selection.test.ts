/** `drover upgrade` with a selection, against the fake API server (issue 13: node selection and canaries). */
import { afterEach, describe, expect, it } from 'vitest';
import { dryRun, machineConfigSecrets, startWorld, upgrade } from './harness.js';
import type { World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('drover upgrade with --canary, --nodes, --role, --limit, --phase', () => {
  it('--dry-run --canary 2 plans the first two workers and says the rest is left alone', async () => {
    world = await startWorld();
    const { env } = machineConfigSecrets();
    const run = await dryRun(world, env, { selection: { canary: 2 } });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /selected \(--canary 2\): k8s-work-1, k8s-work-2, then the post checks and custom gates; left alone: k8s-ctrl-1/,
    );
    expect(run.stderr).toMatch(/\bk8s-work-1\s.*\supgrade\n/);
    expect(run.stderr).toMatch(/\bk8s-work-3\s.*\sleave alone \(not selected\)\n/);
    expect(run.stderr).toMatch(/\bk8s-ctrl-1\s.*\sleave alone \(not selected\)\n/);
    const report = JSON.parse(run.stdout) as { nodes: { name: string }[]; mixedVersions: unknown };
    expect(report.nodes.map((n) => n.name)).toEqual(['k8s-work-1', 'k8s-work-2']);
    // A dry run changes nothing: it leaves no mixed versions behind.
    expect(report.mixedVersions).toBeNull();
  });

  it('--nodes naming a node the config lacks is exit 2, naming it', async () => {
    world = await startWorld();
    const { env } = machineConfigSecrets();
    const run = await dryRun(world, env, {
      json: false,
      selection: { nodes: ['k8s-work-1', 'k8s-work-42'] },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SELECTION_UNKNOWN_NODES.*not in the config: k8s-work-42/);
  });

  it('kubernetes refuses a selection with exit 2 and a hint', async () => {
    world = await startWorld();
    const { env } = machineConfigSecrets();
    const run = await upgrade(
      'kubernetes',
      {
        config: world.config,
        to: '1.33.6',
        dryRun: true,
        kubeconfig: world.kubeconfig,
        selection: { role: 'worker' },
      },
      env,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/SELECTION_NOT_FOR_KIND/);
    expect(run.stderr).toMatch(/hint: talosctl upgrade-k8s upgrades the control plane components/);
  });
});
