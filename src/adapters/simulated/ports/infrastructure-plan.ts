/**
 * What the simulated Terraform plans, as Terraform and bpg do: for a -target'ed node module its
 * VM is replaced (or created when a dead apply destroyed it), talos_machine_configuration_apply
 * follows the new VM in place, a plan-changes-module-resource fault adds its change; an unscoped
 * plan (no target) also carries drift elsewhere and every clone whose template's VMID changed
 * (bpg clone.vm_id is ForceNew).
 */
import { DroverError } from '../../../core/errors.js';
import type { InventoryNode } from '../../../core/inventory.js';
import type { PlanRequest, ResourceChange } from '../../../ports/infrastructure.js';
import type { World } from '../world/world.js';
import {
  nodeOfTarget,
  SHARED_RESOURCES,
  TEMPLATE_RESOURCES,
  TEMPLATE_VM,
  templateOfTarget,
  VM_RESOURCE,
} from './infrastructure-resources.js';

/** Follows the VM: its `node` input is the VM's address, so a new VM updates it in place. */
const FOLLOWS_VM = /^talos_machine_configuration_apply\./;

/** A node VM whose clone.vm_id no longer matches its template's VMID (ForceNew). */
function cloneDrifted(world: World, node: InventoryNode): boolean {
  const vm = world.vm(node.name);
  const template = world.state.templates[node.template];
  return !!vm?.cloneOf && !!template && vm.cloneOf !== template.id;
}

function nodeChanges(world: World, node: InventoryNode, target: string): ResourceChange[] {
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
function unscopedChanges(world: World): ResourceChange[] {
  const changes: ResourceChange[] = [];
  if (world.context.scenario.terraform.drift)
    changes.push({ address: 'proxmox_virtual_environment_dns.cluster', actions: ['update'] });
  for (const node of world.context.inventory.nodes)
    if (cloneDrifted(world, node))
      for (const m of node.terraformAddresses)
        changes.push({ address: `${m}.${VM_RESOURCE}`, actions: ['delete', 'create'] });
  return changes;
}

/**
 * The changes of a plan and the addresses it `-replace`s: per target, its node's VM (and what
 * follows it) or its template's VMs (every template resource with replaceOnly 'all'); with no
 * target, the unscoped plan; plus any plan-extra-resource fault of a targeted node.
 */
export function plannedChanges(
  world: World,
  request: PlanRequest,
): { changes: ResourceChange[]; replaceable: string[] } {
  const changes: ResourceChange[] = [];
  const replaceable: string[] = [];
  const onlyVms = (request.replaceOnly ?? 'vms') === 'vms';
  for (const target of request.replace) {
    const node = nodeOfTarget(world, target);
    const templateKey = templateOfTarget(world, target);
    if (node) {
      changes.push(...nodeChanges(world, node, target));
      replaceable.push(`${target}.${VM_RESOURCE}`);
    } else if (templateKey !== undefined) {
      for (const r of TEMPLATE_RESOURCES)
        if (!onlyVms || r === TEMPLATE_VM) {
          changes.push({ address: `${target}.${r}`, actions: ['delete', 'create'] });
          replaceable.push(`${target}.${r}`);
        }
    } else {
      throw new DroverError(
        'failed',
        'TF_PLAN_FAILED',
        `Error: Invalid target address: no resource instance "${target}" in the state or the configuration`,
        { details: { address: target } },
      );
    }
  }
  if (request.replace.length === 0) changes.push(...unscopedChanges(world));
  addExtraResourceFaults(world, request, changes);
  return { changes, replaceable };
}

/** plan-extra-resource: a plan for the fault's node also updates a shared resource. */
function addExtraResourceFaults(world: World, request: PlanRequest, changes: ResourceChange[]) {
  for (const [i, f] of world.faults().entries()) {
    if (f.type !== 'plan-extra-resource') continue;
    const node = world.node(f.node);
    if (!node || !request.replace.some((a) => node.terraformAddresses.includes(a))) continue;
    const extra = f.address ?? SHARED_RESOURCES[0] ?? 'proxmox_virtual_environment_dns.cluster';
    if (!changes.some((c) => c.address === extra))
      changes.push({ address: extra, actions: ['update'] });
    world.state.faultUses[i] = (world.state.faultUses[i] ?? 0) + 1;
  }
}
