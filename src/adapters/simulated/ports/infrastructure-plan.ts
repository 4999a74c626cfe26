/**
 * What the simulated Terraform plans, as Terraform and bpg do: for a -target'ed node module its
 * VM is replaced (or created when a dead apply destroyed it), talos_machine_configuration_apply
 * follows the new VM in place, a plan-changes-module-resource fault adds its change; an unscoped
 * plan (no target) also carries drift elsewhere and every clone whose template's VMID changed
 * (bpg clone.vm_id is ForceNew).
 */
import type { InventoryNode } from '../../../core/inventory.js';
import type { ResourceChange } from '../../../ports/infrastructure.js';
import type { World } from '../world/world.js';

export const VM_RESOURCE = 'proxmox_virtual_environment_vm.vm';
/** Follows the VM: its `node` input is the VM's address, so a new VM updates it in place. */
const FOLLOWS_VM = /^talos_machine_configuration_apply\./;

/** A node VM whose clone.vm_id no longer matches its template's VMID (ForceNew). */
function cloneDrifted(world: World, node: InventoryNode): boolean {
  const vm = world.vm(node.name);
  const template = world.state.templates[node.template];
  return !!vm?.cloneOf && !!template && vm.cloneOf !== template.id;
}

export function nodeChanges(world: World, node: InventoryNode, target: string): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const exists = world.vm(node.name) !== undefined;
  changes.push({
    address: `${target}.${VM_RESOURCE}`,
    actions: exists ? ['delete', 'create'] : ['create'],
  });
  for (const r of world.context.scenario.terraform.nodeModuleResources)
    if (FOLLOWS_VM.test(r)) changes.push({ address: `${target}.${r}`, actions: ['update'] });
  world.faults().forEach((f, i) => {
    if (f.type !== 'plan-changes-module-resource' || f.node !== node.name) return;
    const address = `${target}.${f.resource}`;
    const rest = changes.filter((c) => c.address !== address);
    changes.length = 0;
    changes.push(...rest, { address, actions: [...f.actions] });
    world.state.faultUses[i] = (world.state.faultUses[i] ?? 0) + 1;
  });
  return changes;
}

/** What an unscoped plan adds: drift elsewhere and every clone of a re-numbered template. */
export function unscopedChanges(world: World): ResourceChange[] {
  const changes: ResourceChange[] = [];
  if (world.context.scenario.terraform.drift)
    changes.push({ address: 'proxmox_virtual_environment_dns.cluster', actions: ['update'] });
  for (const node of world.context.inventory.nodes)
    if (cloneDrifted(world, node))
      for (const m of node.terraformAddresses)
        changes.push({ address: `${m}.${VM_RESOURCE}`, actions: ['delete', 'create'] });
  return changes;
}
