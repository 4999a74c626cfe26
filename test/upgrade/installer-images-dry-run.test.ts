/**
 * `drover upgrade pets --dry-run` looks the installer images up too (against a loopback OCI
 * registry here): a missing one refuses as the run would (exit 3, naming image and nodes), an
 * unanswering registry is a note, and nothing is written to the cluster either way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OciRegistry } from '../../src/adapters/registry/oci-registry.js';
import type { ImagePresence } from '../../src/ports/registry.js';
import { upgradeCommand } from '../../src/cli/upgrade/run-upgrade-command.js';
import type { UpgradeOptions } from '../../src/app/upgrade/upgrade-input.js';
import { loadConfig } from '../../src/app/config/load-config.js';
import { startLoopbackRegistry } from '../helpers/oci-registry.js';
import type { LoopbackRegistry } from '../helpers/oci-registry.js';
import { machineConfigSecrets, startWorld } from './harness.js';
import type { World } from './harness.js';

let world: World | undefined;
let registry: LoopbackRegistry | undefined;
afterEach(async () => {
  await world?.close();
  await registry?.close();
  world = undefined;
  registry = undefined;
});

/** The images as the config names them (factory.talos.dev), asked of the loopback registry. */
function viaLoopback(reg: LoopbackRegistry) {
  const oci = new OciRegistry();
  return {
    manifest: (image: string): Promise<ImagePresence> =>
      oci.manifest(image.replace('factory.talos.dev', reg.host)),
  };
}

async function dryRunPets(
  w: World,
  reg: { manifest(image: string): Promise<ImagePresence> },
  extra: Partial<UpgradeOptions> = { installerImages: 'check' },
) {
  let stdout = '';
  let stderr = '';
  const code = await upgradeCommand(
    'pets',
    {
      config: w.config,
      to: '1.10.9',
      dryRun: true,
      resume: false,
      json: true,
      kubeconfig: w.kubeconfig,
      // The harness's config skips the lookup; the flag turns it on over the config.
      ...extra,
    },
    {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env: machineConfigSecrets().env,
      reporter: { event: () => undefined, flush: async () => undefined },
      registry: reg,
    },
  );
  return { code, stdout, stderr };
}

describe('upgrade --dry-run: installer images', () => {
  it('refuses a missing installer image (exit 3) naming the image and its nodes, writing nothing', async () => {
    world = await startWorld();
    registry = await startLoopbackRegistry({ auth: 'token' });
    const { inventory } = await loadConfig(world.config);
    const base = inventory.nodes.find((n) => !n.gpu)!;
    const gpu = inventory.nodes.find((n) => n.gpu)!;
    registry.add(`${base.platform}-installer/${base.schematic}`, 'v1.10.9');
    const rv = world.cluster.store.resourceVersion;
    const run = await dryRunPets(world, viaLoopback(registry));
    expect(run.code).toBe(3);
    const error = (JSON.parse(run.stdout) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('INSTALLER_IMAGE_MISSING');
    expect(error.message).toContain(
      `${gpu.platform}-installer/${gpu.schematic}:v1.10.9 of k8s-work-4, k8s-work-10`,
    );
    expect(world.cluster.store.resourceVersion).toBe(rv);
    expect(registry.requests).toContain('GET /token');
  });

  it('passes when every image exists, and notes a registry that does not answer', async () => {
    world = await startWorld();
    registry = await startLoopbackRegistry();
    const { inventory } = await loadConfig(world.config);
    for (const n of inventory.nodes)
      registry.add(`${n.platform}-installer/${n.schematic}`, 'v1.10.9');
    const gpu = inventory.nodes.find((n) => n.gpu)!;
    const ok = await dryRunPets(world, viaLoopback(registry));
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain(
      `installer image factory.talos.dev/${gpu.platform}-installer/${gpu.schematic}:v1.10.9 exists`,
    );
    const down = await dryRunPets(world, {
      manifest: async () => ({ state: 'unreachable', reason: 'factory.talos.dev: ENOTFOUND' }),
    });
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('the run would refuse with REGISTRY_UNREACHABLE');
  });

  it('looks nothing up when preflight.installerImages is skip, and says so and why', async () => {
    world = await startWorld();
    const asked: string[] = [];
    const counting = {
      manifest: async (image: string): Promise<ImagePresence> => {
        asked.push(image);
        return { state: 'missing', status: 404 };
      },
    };
    // The harness's config has `preflight: { installerImages: skip }`.
    const skipped = await dryRunPets(world, counting, {});
    expect(skipped.code).toBe(0);
    expect(asked).toEqual([]);
    expect(skipped.stderr).toMatch(
      /installer image check skipped \(preflight\.installerImages is skip in the config\): 2 image\(s\) not looked up/,
    );
    // --installer-images skip says it was the flag; check (over the config) asks again.
    const flag = await dryRunPets(world, counting, { installerImages: 'skip' });
    expect(flag.stderr).toContain('installer image check skipped (--installer-images skip)');
    expect(asked).toEqual([]);
    const checked = await dryRunPets(world, counting);
    expect(checked.code).toBe(3);
    expect(asked.length).toBeGreaterThan(0);
  });
});
