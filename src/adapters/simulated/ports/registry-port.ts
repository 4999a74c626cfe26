/**
 * The simulated installer registry (the Image Factory), answering the OCI manifest question as
 * adapters/registry/oci-registry.ts reads it from a real one: an image listed under the scenario's
 * `registry.missing` (by node, any version or one) is a 404; `registry.unreachable` answers
 * nothing (a dial timeout after a while); every other installer image exists.
 */
import { installerImage } from '../../../core/installer-image.js';
import type { ImagePresence, RegistryPort } from '../../../ports/registry.js';
import type { World } from '../world/world.js';
import { busy } from './talos-port-common.js';

/** Whether the scenario makes `image` missing: a listed node's installer at that version. */
export function imageMissing(world: World, image: string): boolean {
  const version = /:v(\d+\.\d+\.\d+)$/.exec(image)?.[1];
  if (version === undefined) return true;
  return world.context.scenario.registry.missing.some((m) => {
    const node = world.context.inventory.nodes.find((n) => n.name === m.node);
    if (!node || (m.version !== undefined && m.version !== version)) return false;
    return installerImage(node, version) === image;
  });
}

export class SimulatedRegistryPort implements RegistryPort {
  constructor(private readonly world: World) {}

  async manifest(image: string, signal?: AbortSignal): Promise<ImagePresence> {
    if (this.world.context.scenario.registry.unreachable) {
      await busy(this.world, 15, signal);
      return { state: 'unreachable', reason: `${image.split('/')[0]}: ETIMEDOUT` };
    }
    await busy(this.world, 0.2, signal);
    return imageMissing(this.world, image)
      ? { state: 'missing', status: 404 }
      : { state: 'present', digest: `sha256:${'0'.repeat(64)}` };
  }
}
