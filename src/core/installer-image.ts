/**
 * The installer image a node upgrades to in place. From Talos 1.10 the platform matters (a
 * Proxmox VM booted from the nocloud image needs the nocloud installer, one booted from the
 * metal ISO the metal installer); the legacy `factory.talos.dev/installer/...` path is the
 * metal one, so we always name the platform explicitly. Leaving the image out would make
 * talosctl install its default image and silently drop the node's schematic.
 */
import { DroverError } from './errors.js';
import type { InventoryNode } from './inventory.js';

export const IMAGE_FACTORY = 'factory.talos.dev';

// A schematic id is a hex digest; anything with a slash or colon would corrupt the reference.
const SCHEMATIC = /^[a-z0-9][a-z0-9._-]*$/i;

export function installerImage(
  node: Pick<InventoryNode, 'name' | 'platform' | 'schematic'>,
  version: string,
): string {
  if (!SCHEMATIC.test(node.schematic)) {
    throw new DroverError(
      'input',
      'SCHEMATIC_INVALID',
      `node ${node.name}: schematic "${node.schematic}" is not an Image Factory schematic id`,
      {
        hint: 'Use the id the Image Factory returned for the node group (a hex digest).',
        details: { node: node.name, field: 'schematic' },
      },
    );
  }
  const bare = version.replace(/^v/, '');
  return `${IMAGE_FACTORY}/${node.platform}-installer/${node.schematic}:v${bare}`;
}
