/**
 * The world's inventory nodes by name and by address. The inventory never changes during a
 * run; the controllers look nodes up per node per DaemonSet on every pass, so a linear search
 * made the twin's cost grow with N^2 and worse.
 */
import { DroverError } from '../../../core/errors.js';
import type { Inventory, InventoryNode } from '../../../core/inventory.js';

export class NodeLookup {
  private byName: Map<string, InventoryNode> | undefined;
  private byAddress: Map<string, InventoryNode> | undefined;

  constructor(private readonly inventory: Inventory) {}

  node(name: string): InventoryNode | undefined {
    if (!this.byName) {
      // The first node of a name, as the linear search found it.
      const byName = new Map<string, InventoryNode>();
      for (const n of this.inventory.nodes) if (!byName.has(n.name)) byName.set(n.name, n);
      this.byName = byName;
    }
    return this.byName.get(name);
  }

  nodeByAddress(address: string): InventoryNode | undefined {
    if (!this.byAddress) {
      // An address is looked up before a name (node names are not IP addresses).
      const byAddress = new Map<string, InventoryNode>();
      for (const n of this.inventory.nodes)
        if (!byAddress.has(n.address)) byAddress.set(n.address, n);
      this.byAddress = byAddress;
    }
    return this.byAddress.get(address) ?? this.node(address);
  }

  requireNodeByAddress(address: string): InventoryNode {
    const node = this.nodeByAddress(address);
    if (!node) throw unreachable(address, 'no route to host');
    return node;
  }
}

/** What talosctl reports when nothing answers at an address. */
export function unreachable(address: string, why = 'connect: no route to host'): DroverError {
  return new DroverError(
    'failed',
    'TALOS_UNREACHABLE',
    `rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${address}:50000: ${why}"`,
    { details: { address } },
  );
}
