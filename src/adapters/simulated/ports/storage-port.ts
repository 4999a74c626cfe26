/** StoragePort: Ceph `noout` per failure domain (Ceph reports HEALTH_WARN while any is set). */
import type { StoragePort } from '../../../ports/storage.js';
import type { World } from '../world/world.js';

export class SimulatedStoragePort implements StoragePort {
  constructor(private readonly world: World) {}

  async setNoout(domain: string, on: boolean): Promise<void> {
    this.world.failIfScripted(on ? 'storage-noout-set' : 'storage-noout-unset', undefined);
    await this.world.clock.sleep(this.world.ms(on ? 'noout-set' : 'noout-unset'));
    const flags = this.world.state.noout.filter((d) => d !== domain);
    if (on) flags.push(domain);
    this.world.state.noout = flags.sort();
    this.world.changed();
    this.world.requestReconcile();
  }

  async nooutDomains(): Promise<string[]> {
    return [...this.world.state.noout];
  }
}
