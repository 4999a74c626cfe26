/**
 * InfrastructurePort over the simulated Terraform state and Proxmox, as bpg and Terraform
 * behave (hashicorp/terraform v1.11.4, bpg/terraform-provider-proxmox):
 * - a node module holds its VM (`proxmox_virtual_environment_vm.vm`, resource id = the VMID)
 *   and whatever else the scenario puts there (talos_machine_configuration_apply follows the
 *   VM in place; bootstrap, secrets, tls, random stay unless a fault recreates them);
 * - a plan is limited to its targets (`-target`; drift elsewhere and clones of a re-numbered
 *   template show only in an unscoped plan) and `-replace`s the VM resources (or, for
 *   templates with replaceOnly 'all', every resource). A -replace outside the targets is a
 *   no-op in Terraform; the port cannot even express one;
 * - `clone.vm_id` is ForceNew: a VM cloned from a template VMID that changed is replaced;
 * - one state lock (a concurrent operation, someone else's lock, or a backend error that is
 *   not a lock fail like Terraform); saved plans go stale when the state changes.
 */
import { DroverError } from '../../../core/errors.js';
import type { InventoryNode } from '../../../core/inventory.js';
import { isInside } from '../../../core/terraform-address.js';
import type {
  InfrastructurePlan,
  InfrastructurePort,
  PlanRequest,
  ResourceChange,
  StateSnapshot,
} from '../../../ports/infrastructure.js';
import { checkBackupBeforeDestroy, checkTakenOut, outOfService } from '../world/invariants.js';
import { checkTerraformApply } from '../world/invariants-terraform.js';
import { createVm, destroyVm } from '../world/machines.js';
import type { TerraformLock } from '../world/state.js';
import type { World } from '../world/world.js';
import { nodeChanges, unscopedChanges, VM_RESOURCE } from './infrastructure-plan.js';
import {
  foreignLock,
  lockAccessDeniedError,
  lockErrorActive,
  lockHeldError,
} from './infrastructure-lock.js';

const TEMPLATE_VM = 'proxmox_virtual_environment_vm.template';
const TEMPLATE_RESOURCES = ['proxmox_virtual_environment_download_file.talos_image', TEMPLATE_VM];
/** Resources outside any node or template, present in every state. */
const SHARED_RESOURCES = [
  'proxmox_virtual_environment_dns.cluster',
  'proxmox_virtual_environment_hosts.cluster',
  'talos_machine_secrets.this',
];
const PLAN_SECONDS = 8;
const INIT_SECONDS = 5;
/** Lock Info `Who` of Drover's own Terraform runs in the twin (user@host). */
const DROVER_WHO = 'drover@runner';

type Owner =
  | { kind: 'node'; node: InventoryNode; vm: boolean }
  | { kind: 'template'; key: string }
  | { kind: 'shared' };
interface Resource {
  address: string;
  owner: Owner;
  id: string;
}

export class SimulatedInfrastructurePort implements InfrastructurePort {
  /** A lock a crashed apply left behind: not released by this process. */
  private leftBehind: string | undefined;

  constructor(private readonly world: World) {}

  private get tf() {
    return this.world.state.terraform;
  }

  /** Every resource address in the state, with its owner and provider id. */
  private resources(): Resource[] {
    const out: Resource[] = [];
    for (const [key, t] of Object.entries(this.world.state.templates))
      for (const r of TEMPLATE_RESOURCES)
        out.push({
          address: `${t.address}.${r}`,
          owner: { kind: 'template', key },
          id: r === TEMPLATE_VM ? t.id : `local:iso/talos-${t.version}-${t.flavor}.img`,
        });
    const extra = this.world.context.scenario.terraform.nodeModuleResources;
    for (const node of this.world.context.inventory.nodes) {
      const vm = this.world.vm(node.name);
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

  private nodeOf(target: string): InventoryNode | undefined {
    return this.world.context.inventory.nodes.find((n) => n.terraformAddresses.includes(target));
  }

  private templateOf(target: string): string | undefined {
    return Object.entries(this.world.state.templates).find(([, t]) => t.address === target)?.[0];
  }

  /** `terraform init`: configures the backend; commands before it fail as Terraform's do. */
  async init(signal?: AbortSignal): Promise<void> {
    await this.world.clock.sleep(INIT_SECONDS * 1000, signal);
    if (!this.tf.initialised) {
      this.tf.initialised = true;
      this.world.changed();
    }
  }

  /** A checkout without `.terraform/` (scenario terraform.initialised: false) before init. */
  private requireInit(): void {
    if (this.tf.initialised !== false) return;
    throw new DroverError(
      'failed',
      'TF_COMMAND_FAILED',
      'Error: Backend initialization required, please run "terraform init"\n\nReason: Initial configuration of the requested backend "s3"',
      {
        hint: 'check that the working directory was initialised (terraform init) and the backend is reachable',
      },
    );
  }

  private lock(operation: TerraformLock['operation']): TerraformLock {
    this.requireInit();
    if (lockErrorActive(this.world)) throw lockAccessDeniedError(this.world);
    const held = this.tf.lock ?? foreignLock(this.world);
    if (held) throw lockHeldError(this.world, held);
    const lock: TerraformLock = {
      id: `${this.world.rng.hex(8)}-${this.world.rng.hex(4)}-${this.world.rng.hex(4)}`,
      operation,
      who: DROVER_WHO,
      created: this.world.now,
    };
    this.tf.lock = lock;
    this.world.changed();
    return lock;
  }

  private unlock(lock: TerraformLock): void {
    if (this.leftBehind === lock.id) return;
    if (this.tf.lock?.id === lock.id) this.tf.lock = null;
    this.world.changed();
  }

  async plan(request: PlanRequest): Promise<InfrastructurePlan> {
    const lock = this.lock('OperationTypePlan');
    try {
      await this.world.clock.sleep(PLAN_SECONDS * 1000, request.signal);
      const changes: ResourceChange[] = [];
      const replaceable: string[] = [];
      const onlyVms = (request.replaceOnly ?? 'vms') === 'vms';
      for (const target of request.replace) {
        const node = this.nodeOf(target);
        const templateKey = this.templateOf(target);
        if (node) {
          changes.push(...nodeChanges(this.world, node, target));
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
      if (request.replace.length === 0) changes.push(...unscopedChanges(this.world));
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
      return {
        id,
        changes: changes.map((c) => ({ address: c.address, actions: [...c.actions] })),
        replaceable,
      };
    } finally {
      this.unlock(lock);
    }
  }

  lockOwner(): string {
    return DROVER_WHO;
  }

  /** `terraform force-unlock -force ID`: releases the lock with that ID, else Terraform's error. */
  async forceUnlock(lockId: string): Promise<void> {
    await this.world.clock.sleep(1000);
    if (this.tf.lock?.id !== lockId)
      throw new DroverError(
        'failed',
        'TF_COMMAND_FAILED',
        `Error: Failed to unlock state: lock ID "${lockId}" does not match existing lock`,
      );
    this.tf.lock = null;
    this.world.changed();
  }

  async discardPlan(plan: InfrastructurePlan): Promise<void> {
    delete this.tf.plans[plan.id];
    this.world.changed();
  }

  async apply(plan: InfrastructurePlan, signal?: AbortSignal): Promise<void> {
    const saved = this.tf.plans[plan.id];
    if (!saved || saved.applied)
      throw new DroverError(
        'failed',
        'TF_APPLY_FAILED',
        `Error: Failed to load "${plan.id}" as a plan file`,
      );
    if (saved.serial !== this.tf.serial)
      throw new DroverError(
        'failed',
        'TF_PLAN_STALE',
        'Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created.',
      );
    const owners = saved.changes.map((c) => this.ownerOf(c.address));
    const vmNodes = saved.changes.flatMap((c, i) => {
      const o = owners[i];
      return o?.kind === 'node' && o.vm && c.actions.includes('create') ? [o.node] : [];
    });
    const nodes = [...new Set(vmNodes.map((n) => n.name))];
    const templates = [...new Set(owners.flatMap((o) => (o.kind === 'template' ? [o.key] : [])))];
    // Terraform creates the VMs of a multi-target apply in parallel; one VM's error fails that
    // resource only, the others go through and the apply exits non-zero at the end.
    const failures = new Map<string, DroverError>();
    for (const n of nodes) {
      const failure = this.world.scriptedFailure('replace-vm', n);
      if (failure) failures.set(n, failure);
    }
    const fault =
      nodes.length > 0
        ? failures.size === nodes.length
          ? vmApplyError(this.world, failures, [])
          : undefined
        : templates.length > 0
          ? this.world.scriptedFailure('rebuild-template', undefined)
          : undefined;
    const lock = this.lock('OperationTypeApply');
    const attempted = (this.world.state.replaceAttempted ??= {});
    for (const n of nodes) attempted[n] = true;
    try {
      if (fault) {
        await this.world.clock.sleep(PLAN_SECONDS * 1000, signal);
        throw fault;
      }
      saved.applied = true;
      checkTerraformApply(this.world, saved.changes, owners, nodes);
      const total =
        nodes.length > 0
          ? this.world.ms('vm-create') - PLAN_SECONDS * 1000
          : this.world.ms('template-build') - PLAN_SECONDS * 1000;
      const replaced = nodes
        .filter((n) => !failures.has(n))
        .map((n) => this.world.node(n))
        .filter((n): n is InventoryNode => !!n);
      // Destroy first (Proxmox VMs are not create_before_destroy), then clone the new ones. The
      // backup must be of the state the apply started from (it covers every VM of the apply).
      await this.world.clock.sleep(Math.max(0, total * 0.2), signal);
      for (const node of replaced) {
        if (!this.world.vm(node.name)) continue;
        checkBackupBeforeDestroy(this.world, node.name, saved.serial);
        const wasOut = outOfService(this.world, node.name);
        destroyVm(this.world, node);
        this.tf.serial += 1;
        checkTakenOut(this.world, node, `VM of ${node.name} destroyed`, {
          newlyOut: !wasOut,
          storage: true,
        });
      }
      for (const node of replaced) await this.crashIfScripted(node.name, lock);
      await this.world.clock.sleep(Math.max(0, total * 0.8), signal);
      for (const node of replaced) {
        createVm(this.world, node);
        this.world.state.vmReplacements[node.name] =
          (this.world.state.vmReplacements[node.name] ?? 0) + 1;
      }
      for (const key of templates) this.rebuildTemplate(key);
      if (saved.changes.some((c) => c.actions.some((a) => a !== 'no-op' && a !== 'read')))
        this.tf.serial += 1;
      this.world.changed();
      if (failures.size > 0)
        throw vmApplyError(
          this.world,
          failures,
          replaced.flatMap((n) => n.terraformAddresses.map((m) => `${m}.${VM_RESOURCE}`)),
        );
    } finally {
      this.unlock(lock);
    }
  }

  /**
   * crash-during-apply: the runner dies with the VM destroyed and not created; its lock stays
   * (a killed terraform never releases it).
   */
  private async crashIfScripted(node: string, lock: TerraformLock): Promise<void> {
    const index = this.world
      .faults()
      .findIndex(
        (f, i) =>
          f.type === 'crash-during-apply' &&
          f.node === node &&
          (this.world.state.faultUses[i] ?? 0) === 0,
      );
    if (index < 0) return;
    this.world.state.faultUses[index] = 1;
    this.tf.lock = lock;
    this.leftBehind = lock.id;
    this.world.changed();
    if (this.world.crashHook) await this.world.crashHook();
    throw new DroverError(
      'failed',
      'SIMULATED_CRASH',
      `the runner died inside terraform apply of ${node} (VM destroyed, not created; state lock ${lock.id} left behind)`,
    );
  }

  /** The template at the target version; a new VMID unless the scenario pins it. */
  private rebuildTemplate(key: string): void {
    const t = this.world.state.templates[key];
    if (!t) return;
    t.version = this.world.context.talos.to;
    if (this.world.context.scenario.terraform.templateVmIds === 'pinned') return;
    const used = new Set(Object.values(this.world.state.templates).map((x) => x.id));
    let id = Number(t.id) + 100;
    while (used.has(String(id))) id += 1;
    t.id = String(id);
  }

  private ownerOf(address: string): Owner {
    const r = this.resources().find((x) => x.address === address);
    if (r) return r.owner;
    for (const node of this.world.context.inventory.nodes)
      for (const m of node.terraformAddresses)
        if (isInside(address, m))
          return { kind: 'node', node, vm: address === `${m}.${VM_RESOURCE}` };
    return { kind: 'shared' };
  }

  async pullState(signal?: AbortSignal): Promise<StateSnapshot> {
    this.requireInit();
    await this.world.clock.sleep(this.world.ms('state-transfer', 0.4), signal);
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
    this.requireInit();
    return this.resources().map((r) => r.address);
  }

  async resourceIds(addresses: string[]): Promise<Record<string, string | undefined>> {
    this.requireInit();
    const all = this.resources();
    const out: Record<string, string | undefined> = {};
    for (const address of addresses) {
      const hit =
        all.find((r) => r.address === address) ??
        all.find((r) => isInside(r.address, address) && r.address.endsWith(VM_RESOURCE)) ??
        all.find((r) => isInside(r.address, address) && r.address.endsWith(TEMPLATE_VM));
      out[address] = hit?.id;
    }
    return out;
  }

  async templateVersion(address: string): Promise<string | undefined> {
    this.requireInit();
    await this.world.clock.sleep(1000);
    const t = Object.values(this.world.state.templates).find((x) => isInside(address, x.address));
    return t?.version;
  }
}

/**
 * The apply's error when some VMs failed, as `terraform apply -json` reports it: one error
 * diagnostic per failed resource (its address), the resources that completed (apply_complete)
 * listed so the engine knows which replacements went through. Transient only if every failure is.
 */
function vmApplyError(
  world: World,
  failures: Map<string, DroverError>,
  completed: string[],
): DroverError {
  const failed = [...failures.keys()].flatMap(
    (n) => world.node(n)?.terraformAddresses.map((m) => `${m}.${VM_RESOURCE}`) ?? [],
  );
  const messages = [...failures.entries()].map(([n, e]) => `${n}: ${e.message}`);
  const [only] = [...failures.values()];
  // Worth another apply only when every node's failure is.
  const retry = [...failures.values()].every((e) => e.retryable);
  return new DroverError(
    'failed',
    retry ? 'SIMULATED_FAULT' : 'SIMULATED_FAULT_PERMANENT',
    failures.size === 1 && completed.length === 0 && only ? only.message : messages.join('; '),
    {
      details: {
        ...(failures.size === 1 && only ? only.details : {}),
        failed,
        completed,
      },
    },
  );
}
