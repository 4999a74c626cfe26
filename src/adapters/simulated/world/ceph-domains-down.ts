/**
 * Which storage domains have an OSD node down (its machine not running, or its node not
 * Ready), kept up to date from node events and VM changes instead of reading every OSD node on
 * each call: Ceph's reconciler and the invariant checks ask after every change.
 */
import { storageDomain, type InventoryNode } from '../../../core/inventory.js';
import { VmWatch } from './vm-watch.js';
import { readyStatus } from './nodes.js';
import { R } from './objects.js';
import type { World } from './world.js';

export class DomainsDown {
  private readonly osds = new Map<string, InventoryNode>();
  private readonly osdNames: Set<string>;
  private readonly vms = new VmWatch();
  /** OSD nodes to look at again: all at first, then those whose node object or VM changed. */
  private readonly stale: Set<string>;
  private readonly down = new Set<string>();

  constructor(private readonly world: World) {
    for (const n of world.context.inventory.nodes)
      if (n.storage?.osd === true) this.osds.set(n.name, n);
    this.osdNames = new Set(this.osds.keys());
    world.watchVms(this.vms);
    this.stale = new Set(this.osdNames);
    // Subscribed when the world is made, before any checker: a node's own event reaches this
    // first, so whoever asks while handling it gets the node's new state.
    world.store.subscribeView((event) => {
      if (event.resource === R.nodes) this.stale.add(event.object.metadata.name);
    });
  }

  domains(): string[] {
    this.vms.collect(this.world.state.vms, this.osdNames, this.stale);
    for (const name of this.stale) {
      if (!this.osds.has(name)) continue;
      const obj = this.world.store.getView(R.nodes, undefined, name);
      if (!this.world.vmRunning(name) || readyStatus(obj) !== 'True') this.down.add(name);
      else this.down.delete(name);
    }
    this.stale.clear();
    const domains = new Set<string>();
    for (const name of this.down) {
      const node = this.osds.get(name);
      if (node) domains.add(storageDomain(node));
    }
    return [...domains].sort();
  }
}

/** Storage domains with an OSD node whose machine or kubelet is down. */
export function cephDomainsDown(world: World): string[] {
  return world.domainsDown.domains();
}
