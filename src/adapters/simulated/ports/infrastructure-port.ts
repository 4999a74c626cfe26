/**
 * InfrastructurePort over the simulated Terraform state and Proxmox: `-replace` of a node's VM
 * module (delete + create of its resources) or of a template module, one state lock (a second
 * concurrent operation fails like Terraform's lock error), saved plans that go stale when the
 * state changes, and state serials/lineage in the bytes pullState returns.
 */
import { DroverError } from '../../../core/errors.js';
import type { InventoryNode } from '../../../core/inventory.js';
import type {
  InfrastructurePlan,
  InfrastructurePort,
  PlanRequest,
  ResourceChange,
  StateSnapshot,
} from '../../../ports/infrastructure.js';
import { checkBackupBeforeDestroy, checkTakenOut, outOfService } from '../world/invariants.js';
import { createVm, destroyVm } from '../world/machines.js';
import type { TerraformLock } from '../world/state.js';
import type { World } from '../world/world.js';

const VM_RESOURCE = 'proxmox_virtual_environment_vm.vm';
const TEMPLATE_RESOURCES = [
  'proxmox_virtual_environment_download_file.talos_image',
  'proxmox_virtual_environment_vm.template',
];
/** Resources outside any node or template, present in every state. */
const SHARED_RESOURCES = [
  'proxmox_virtual_environment_dns.cluster',
  'proxmox_virtual_environment_hosts.cluster',
  'talos_machine_secrets.this',
];
const PLAN_SECONDS = 8;

type Owner =
  { kind: 'node'; node: InventoryNode } | { kind: 'template'; key: string } | { kind: 'shared' };

export class SimulatedInfrastructurePort implements InfrastructurePort {
  private operationCounter = 0;

  constructor(private readonly world: World) {}

  private get tf() {
    return this.world.state.terraform;
  }

  /** Every resource address in the state, with its owner. */
  private resources(): { address: string; owner: Owner; id: string }[] {
    const out: { address: string; owner: Owner; id: string }[] = [];
    for (const [key, t] of Object.entries(this.world.state.templates))
      for (const r of TEMPLATE_RESOURCES)
        out.push({
          address: `${t.address}.${r}`,
          owner: { kind: 'template', key },
          id: r.endsWith('vm.template') ? t.id : `local:iso/talos-${t.version}-${t.flavor}.img`,
        });
    for (const node of this.world.context.inventory.nodes) {
      const vm = this.world.vm(node.name);
      if (!vm) continue;
      for (const module of node.terraformAddresses)
        out.push({
          address: `${module}.${VM_RESOURCE}`,
          owner: { kind: 'node', node },
          id: `${node.host}/${vm.id}`,
        });
    }
    for (const r of SHARED_RESOURCES)
      out.push({ address: r, owner: { kind: 'shared' }, id: r.split('.')[1] ?? r });
    return out;
  }

  /** Resources an address covers: itself, or every resource under a module address. */
  private expand(address: string): { address: string; owner: Owner }[] {
    const all = this.resources();
    const exact = all.filter((r) => r.address === address);
    if (exact.length > 0) return exact;
    const under = all.filter((r) => r.address.startsWith(`${address}.`));
    if (under.length > 0) return under;
    // A node whose VM is gone still has its module address: replacing it creates the VM.
    for (const node of this.world.context.inventory.nodes)
      if (node.terraformAddresses.includes(address))
        return [{ address: `${address}.${VM_RESOURCE}`, owner: { kind: 'node', node } }];
    return [];
  }

  private lock(operation: TerraformLock['operation']): TerraformLock {
    const held = this.tf.lock;
    if (held) {
      throw new DroverError(
        'failed',
        'TF_STATE_LOCKED',
        [
          'Error: Error acquiring the state lock',
          '',
          'Error message: ConditionalCheckFailedException: The conditional request failed',
          'Lock Info:',
          `  ID:        ${held.id}`,
          `  Path:      terraform-state/${this.world.context.inventory.cluster}/terraform.tfstate`,
          `  Operation: ${held.operation}`,
          `  Who:       ${held.who}`,
          `  Version:   1.11.4`,
          `  Created:   ${new Date(held.created).toISOString()}`,
        ].join('\n'),
        {
          hint: 'Another Terraform operation holds the state lock. If no operation is running, the lock is stale: check and `terraform force-unlock` it deliberately.',
          details: { lockId: held.id, who: held.who, operation: held.operation, transient: false },
        },
      );
    }
    const lock: TerraformLock = {
      id: `${this.world.rng.hex(8)}-${this.world.rng.hex(4)}-${this.world.rng.hex(4)}`,
      operation,
      who: `drover@runner`,
      created: this.world.now,
    };
    this.tf.lock = lock;
    this.world.changed();
    return lock;
  }

  private unlock(lock: TerraformLock): void {
    if (this.tf.lock?.id === lock.id) this.tf.lock = null;
    this.world.changed();
  }

  async plan(request: PlanRequest): Promise<InfrastructurePlan> {
    const lock = this.lock('OperationTypePlan');
    try {
      await this.world.clock.sleep(PLAN_SECONDS * 1000, request.signal);
      const changes: ResourceChange[] = [];
      for (const address of request.replace) {
        const resources = this.expand(address);
        if (resources.length === 0)
          throw new DroverError(
            'failed',
            'TF_PLAN_FAILED',
            `Error: Invalid replace address: no resource instance "${address}" in the state or the configuration`,
            { details: { address } },
          );
        for (const r of resources)
          changes.push({
            address: r.address,
            actions: this.exists(r.address) ? ['delete', 'create'] : ['create'],
          });
      }
      for (const [i, f] of this.world.faults().entries()) {
        if (f.type !== 'plan-extra-resource') continue;
        const node = this.world.node(f.node);
        if (!node || !request.replace.some((a) => node.terraformAddresses.includes(a))) continue;
        const extra = f.address ?? SHARED_RESOURCES[0] ?? 'proxmox_virtual_environment_dns.cluster';
        if (!changes.some((c) => c.address === extra))
          changes.push({ address: extra, actions: ['update'] });
        this.world.state.faultUses[i] = (this.world.state.faultUses[i] ?? 0) + 1;
      }
      const id = `plan-${this.tf.nextPlan++}`;
      this.tf.plans[id] = { id, serial: this.tf.serial, changes, applied: false };
      this.world.changed();
      return { id, changes: changes.map((c) => ({ address: c.address, actions: [...c.actions] })) };
    } finally {
      this.unlock(lock);
    }
  }

  private exists(address: string): boolean {
    return this.resources().some((r) => r.address === address);
  }

  async apply(plan: InfrastructurePlan, signal?: AbortSignal): Promise<void> {
    const saved = this.tf.plans[plan.id];
    if (!saved || saved.applied)
      throw new DroverError(
        'failed',
        'TF_APPLY_FAILED',
        `Error: Failed to load "${plan.id}" as a plan file`,
        { details: { transient: false } },
      );
    if (saved.serial !== this.tf.serial)
      throw new DroverError(
        'failed',
        'TF_PLAN_STALE',
        'Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created.',
        { details: { transient: false } },
      );
    const owners = saved.changes.map((c) => this.ownerOf(c.address));
    const nodes = [...new Set(owners.flatMap((o) => (o.kind === 'node' ? [o.node.name] : [])))];
    const templates = [...new Set(owners.flatMap((o) => (o.kind === 'template' ? [o.key] : [])))];
    const fault =
      nodes.length > 0
        ? this.world.scriptedFailure('replace-vm', nodes[0])
        : templates.length > 0
          ? this.world.scriptedFailure('rebuild-template', undefined)
          : undefined;
    const lock = this.lock('OperationTypeApply');
    try {
      if (fault) {
        await this.world.clock.sleep(PLAN_SECONDS * 1000, signal);
        throw fault;
      }
      saved.applied = true;
      this.checkScope(saved.changes, owners, nodes);
      const total =
        nodes.length > 0
          ? this.world.ms('replace-vm') - PLAN_SECONDS * 1000
          : this.world.ms('rebuild-template') - PLAN_SECONDS * 1000;
      const replaced = nodes.map((n) => this.world.node(n)).filter((n): n is InventoryNode => !!n);
      // Destroy first (Proxmox VMs are not create_before_destroy), then clone the new ones.
      await this.world.clock.sleep(Math.max(0, total * 0.2), signal);
      for (const node of replaced) {
        if (!this.world.vm(node.name)) continue;
        checkBackupBeforeDestroy(this.world, node.name);
        const wasOut = outOfService(this.world, node.name);
        destroyVm(this.world, node);
        this.tf.serial += 1;
        checkTakenOut(this.world, node, `VM of ${node.name} destroyed`, {
          newlyOut: !wasOut,
          storage: true,
        });
      }
      await this.world.clock.sleep(Math.max(0, total * 0.8), signal);
      for (const node of replaced) {
        createVm(this.world, node);
        this.world.state.vmReplacements[node.name] =
          (this.world.state.vmReplacements[node.name] ?? 0) + 1;
      }
      for (const key of templates) {
        const t = this.world.state.templates[key];
        if (!t) continue;
        t.version = this.world.context.talos.to;
        t.id = String(9100 + this.world.state.terraform.nextPlan + this.operationCounter++);
      }
      if (saved.changes.some((c) => c.actions.some((a) => a !== 'no-op' && a !== 'read')))
        this.tf.serial += 1;
      this.world.changed();
    } finally {
      this.unlock(lock);
    }
  }

  private ownerOf(address: string): Owner {
    const r = this.resources().find((x) => x.address === address);
    if (r) return r.owner;
    for (const node of this.world.context.inventory.nodes)
      if (node.terraformAddresses.some((m) => address === m || address.startsWith(`${m}.`)))
        return { kind: 'node', node };
    return { kind: 'shared' };
  }

  /** Invariant 3: one node's addresses, or templates only; anything else is out of scope. */
  private checkScope(changes: { address: string }[], owners: Owner[], nodes: string[]): void {
    const shared = changes.filter((_c, i) => owners[i]?.kind === 'shared').map((c) => c.address);
    const hasTemplates = owners.some((o) => o.kind === 'template');
    if (nodes.length > 1)
      this.world.violation(
        3,
        `apply touched the VMs of ${nodes.length} nodes at once (${nodes.join(', ')})`,
      );
    if (nodes.length > 0 && hasTemplates)
      this.world.violation(3, `apply touched templates and the VM of ${nodes.join(', ')} together`);
    if (shared.length > 0)
      this.world.violation(
        3,
        `apply touched ${shared.join(', ')}, outside the replaced ${nodes.length > 0 ? `node ${nodes.join(', ')}` : 'templates'}`,
      );
  }

  async pullState(signal?: AbortSignal): Promise<StateSnapshot> {
    await this.world.clock.sleep(this.world.ms('backup-state', 0.4), signal);
    const state = {
      version: 4,
      terraform_version: '1.11.4',
      serial: this.tf.serial,
      lineage: this.tf.lineage,
      outputs: {},
      resources: this.resources().map((r) => ({ address: r.address, id: r.id })),
      check_results: null,
    };
    return {
      serial: this.tf.serial,
      lineage: this.tf.lineage,
      bytes: new TextEncoder().encode(JSON.stringify(state, null, 2)),
    };
  }

  async listResources(): Promise<string[]> {
    return this.resources().map((r) => r.address);
  }

  async resourceIds(addresses: string[]): Promise<Record<string, string | undefined>> {
    const all = this.resources();
    const out: Record<string, string | undefined> = {};
    for (const address of addresses) {
      const hit =
        all.find((r) => r.address === address) ??
        all.find((r) => r.address.startsWith(`${address}.`) && r.address.endsWith(VM_RESOURCE)) ??
        all.find((r) => r.address.startsWith(`${address}.`) && r.address.endsWith('vm.template'));
      out[address] = hit?.id;
    }
    return out;
  }

  async templateVersion(address: string): Promise<string | undefined> {
    await this.world.clock.sleep(1000);
    const t = Object.values(this.world.state.templates).find(
      (x) => x.address === address || address.startsWith(`${x.address}.`),
    );
    return t?.version;
  }
}
