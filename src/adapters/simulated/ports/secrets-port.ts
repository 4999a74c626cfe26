/**
 * SecretsPort: each node's machine config, generated for the simulated cluster, with
 * secret-looking tokens. Every secret value served is recorded for leak tests.
 */
import type { InventoryNode } from '../../../core/inventory.js';
import type { SecretsPort } from '../../../ports/secrets.js';
import { machineConfigFor, secretValuesOf } from '../world/machine-config.js';
import type { World } from '../world/world.js';

export class SimulatedSecretsPort implements SecretsPort {
  constructor(private readonly world: World) {}

  async machineConfig(node: InventoryNode): Promise<string> {
    const tokens = this.world.state.secrets.tokens;
    const image = `factory.talos.dev/${node.platform}-installer/${node.schematic}:v${this.world.context.talos.to}`;
    const config = machineConfigFor(node, tokens, image);
    const served = this.world.state.secrets.served;
    for (const value of secretValuesOf(tokens)) if (!served.includes(value)) served.push(value);
    this.world.changed();
    return config;
  }
}
