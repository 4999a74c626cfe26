/**
 * The cluster as Drover sees it. Built from the config file (or a simulation scenario) and
 * checked against the live cluster before anything happens.
 */
export const NODE_ROLES = ['controlplane', 'worker'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

export const INSTALLER_PLATFORMS = ['nocloud', 'metal'] as const;
export type InstallerPlatform = (typeof INSTALLER_PLATFORMS)[number];

export interface InventoryNode {
  /** Kubernetes node name; also the VM hostname, kept across replacements. */
  name: string;
  role: NodeRole;
  /** Proxmox host: the node's failure domain for scheduling. */
  host: string;
  /** Address talosctl reaches the node at. */
  address: string;
  /** Terraform resource addresses that make up the node's VM (usually one module instance). */
  terraformAddresses: string[];
  /** Template the VM is cloned from (a key of Inventory.templates). */
  template: string;
  /** Image Factory schematic id of the node's installer (GPU nodes have their own). */
  schematic: string;
  platform: InstallerPlatform;
  /** Patch ids applied after the machine config, in order: global, role, node (see Inventory.patches). */
  patches: string[];
  /** Where the node's machine config comes from (a key of Inventory.machineConfigs). */
  machineConfig: string;
  /** The node carries GPUs: expect the GPU label and allocatable GPUs after boot. */
  gpu: boolean;
  /** The node runs storage daemons (Ceph OSDs); storage failure domain if it differs from host. */
  storage?: { osd: boolean; failureDomain?: string };
  labels?: Record<string, string>;
}

export interface TemplateSpec {
  /** Terraform address, e.g. module.template_baldar_base. */
  address: string;
  host: string;
  /** Template flavour, e.g. base or gpu. */
  flavor: string;
  schematic: string;
}

export interface PatchSpec {
  id: string;
  /** YAML strategic-merge patch for the Talos machine config. */
  content: string;
}

export const MACHINE_CONFIG_SOURCE_KINDS = ['sops-file', 'env-base64', 'inline-test'] as const;
export type MachineConfigSourceKind = (typeof MACHINE_CONFIG_SOURCE_KINDS)[number];

export interface MachineConfigSource {
  kind: MachineConfigSourceKind;
  /** Path of the SOPS file, or the environment variable's name. Never the secret itself. */
  ref: string;
}

export interface Inventory {
  cluster: string;
  nodes: InventoryNode[];
  templates: Record<string, TemplateSpec>;
  patches: Record<string, PatchSpec>;
  machineConfigs: Record<string, MachineConfigSource>;
  /** Number of etcd members expected when every control plane node is healthy. */
  expectedEtcdMembers: number;
  /**
   * The CRUSH type of the nodes' storage domains (the buckets Drover sets noout on), which the
   * Ceph pools' failureDomain is compared with (core/pool-tolerance.ts); host when absent.
   */
  storageDomainType?: string;
}

export function controlPlaneNodes(inventory: Inventory): InventoryNode[] {
  return inventory.nodes.filter((n) => n.role === 'controlplane');
}

export function workerNodes(inventory: Inventory): InventoryNode[] {
  return inventory.nodes.filter((n) => n.role === 'worker');
}

/** Nodes by name, per nodes array: the engine looks a node up per unit and per step. */
const nodeIndexes = new WeakMap<readonly InventoryNode[], Map<string, InventoryNode>>();

export function findNode(inventory: Inventory, name: string): InventoryNode | undefined {
  let index = nodeIndexes.get(inventory.nodes);
  if (!index || index.size !== inventory.nodes.length) {
    index = new Map();
    // The first node of a name wins, as a linear search finds it.
    for (const n of inventory.nodes) if (!index.has(n.name)) index.set(n.name, n);
    nodeIndexes.set(inventory.nodes, index);
  }
  const found = index.get(name);
  // An inventory is data: should a caller have renamed a node in place, search as before.
  return found?.name === name ? found : inventory.nodes.find((n) => n.name === name);
}

/** The failure domain a node counts against for storage (Ceph): its own, else its host. */
export function storageDomain(node: InventoryNode): string {
  return node.storage?.failureDomain ?? node.host;
}
