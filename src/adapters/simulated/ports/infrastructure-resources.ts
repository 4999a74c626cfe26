/**
 * The resources of the simulated Terraform state and who owns each: a node module holds its VM
 * (`proxmox_virtual_environment_vm.vm`, resource id = the VMID, as bpg) and the scenario's extra
 * node module resources; a template module holds its image download and template VM; a few
 * shared resources sit outside every module.
 */
import type { InventoryNode } from '../../../core/inventory.js';
import { isInside } from '../../../core/terraform-address.js';
import type { World } from '../world/world.js';

export const VM_RESOURCE = 'proxmox_virtual_environment_vm.vm';
export const TEMPLATE_VM = 'proxmox_virtual_environment_vm.template';
export const TEMPLATE_RESOURCES = [
  'proxmox_virtual_environment_download_file.talos_image',
  TEMPLATE_VM,
];
/** Resources outside any node or template, present in every state. */
export const SHARED_RESOURCES = [
  'proxmox_virtual_environment_dns.cluster',
  'proxmox_virtual_environment_hosts.cluster',
  'talos_machine_secrets.this',
];

export type Owner =
  | { kind: 'node'; node: InventoryNode; vm: boolean }
  | { kind: 'template'; key: string }
  | { kind: 'shared' };
export interface Resource {
  address: string;
  owner: Owner;
  id: string;
}

/** Every resource address in the state, with its owner and provider id. */
export function stateResources(world: World): Resource[] {
  const out: Resource[] = [];
  for (const [key, t] of Object.entries(world.state.templates))
    for (const r of TEMPLATE_RESOURCES)
      out.push({
        address: `${t.address}.${r}`,
        owner: { kind: 'template', key },
        id: r === TEMPLATE_VM ? t.id : `local:iso/talos-${t.version}-${t.flavor}.img`,
      });
  const extra = world.context.scenario.terraform.nodeModuleResources;
  for (const node of world.context.inventory.nodes) {
    const vm = world.vm(node.name);
    for (const module of node.terraformAddresses) {
      // bpg: the resource id is the VMID, nothing else.
      if (vm)
        out.push({
          address: `${module}.${VM_RESOURCE}`,
          owner: { kind: 'node', node, vm: true },
          id: vm.id,
        });
      for (const r of extra)
        out.push({
          address: `${module}.${r}`,
          owner: { kind: 'node', node, vm: false },
          id: `${node.name}/${r}`,
        });
    }
  }
  for (const r of SHARED_RESOURCES)
    out.push({ address: r, owner: { kind: 'shared' }, id: r.split('.')[1] ?? r });
  return out;
}

/** The owner of an address, also of one not (or no longer) in the state: by its module. */
export function ownerOf(world: World, address: string): Owner {
  const r = stateResources(world).find((x) => x.address === address);
  if (r) return r.owner;
  for (const node of world.context.inventory.nodes)
    for (const m of node.terraformAddresses)
      if (isInside(address, m))
        return { kind: 'node', node, vm: address === `${m}.${VM_RESOURCE}` };
  return { kind: 'shared' };
}

/** The provider id of a resource address, or of a module's VM (node) or template VM. */
export function resourceIdOf(all: Resource[], address: string): string | undefined {
  const hit =
    all.find((r) => r.address === address) ??
    all.find((r) => isInside(r.address, address) && r.address.endsWith(VM_RESOURCE)) ??
    all.find((r) => isInside(r.address, address) && r.address.endsWith(TEMPLATE_VM));
  return hit?.id;
}

/** The node whose module is this -target address. */
export function nodeOfTarget(world: World, target: string): InventoryNode | undefined {
  return world.context.inventory.nodes.find((n) => n.terraformAddresses.includes(target));
}

/** The key of the template whose module is this -target address. */
export function templateOfTarget(world: World, target: string): string | undefined {
  return Object.entries(world.state.templates).find(([, t]) => t.address === target)?.[0];
}

/** The state document `terraform state pull` prints (format version 4). */
export function stateDocument(world: World): Record<string, unknown> {
  const tf = world.state.terraform;
  return {
    version: 4,
    terraform_version: '1.11.4',
    serial: tf.serial,
    lineage: tf.lineage,
    outputs: {},
    resources: stateResources(world).map((r) => ({ address: r.address, id: r.id })),
    check_results: null,
  };
}
