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
  StateSnapshot,
} from '../../../ports/infrastructure.js';
import { checkBackupBeforeDestroy, checkTakenOut, outOfService } from '../world/invariants.js';
import { checkTerraformApply } from '../world/invariants-terraform.js';
import { createVm, destroyVm } from '../world/machines.js';
import type { TerraformLock } from '../world/state.js';
import type { World } from '../world/world.js';
import {
  applyCrashError,
  applyScope,
  loadSavedPlan,
  rebuildTemplate,
  scriptedApplyFailures,
  takeCrashDuringApply,
  vmApplyError,
} from './infrastructure-apply.js';
import { plannedChanges } from './infrastructure-plan.js';
import {
  resourceIdOf,
  stateDocument,
  stateResources,
  VM_RESOURCE,
} from './infrastructure-resources.js';
import { DROVER_WHO, SimulatedStateLock } from './infrastructure-lock.js';

const PLAN_SECONDS = 8;
const INIT_SECONDS = 5;

export class SimulatedInfrastructurePort implements InfrastructurePort {
  private readonly stateLock: SimulatedStateLock;

  constructor(private readonly world: World) {
    this.stateLock = new SimulatedStateLock(world);
  }

  private get tf() {
    return this.world.state.terraform;
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
    return this.stateLock.take(operation);
  }

  async plan(request: PlanRequest): Promise<InfrastructurePlan> {
    const lock = this.lock('OperationTypePlan');
    try {
      await this.world.clock.sleep(PLAN_SECONDS * 1000, request.signal);
      const { changes, replaceable } = plannedChanges(this.world, request);
      const id = `plan-${this.tf.nextPlan++}`;
      this.tf.plans[id] = { id, serial: this.tf.serial, changes, applied: false };
      this.world.changed();
      return {
        id,
        changes: changes.map((c) => ({ address: c.address, actions: [...c.actions] })),
        replaceable,
      };
    } finally {
      this.stateLock.release(lock);
    }
  }

  lockOwner(): string {
    return DROVER_WHO;
  }

  /** `terraform force-unlock -force ID`: releases the lock with that ID, else Terraform's error. */
  async forceUnlock(lockId: string): Promise<void> {
    await this.world.clock.sleep(1000);
    this.stateLock.forceUnlock(lockId);
  }

  async discardPlan(plan: InfrastructurePlan): Promise<void> {
    delete this.tf.plans[plan.id];
    this.world.changed();
  }

  async apply(plan: InfrastructurePlan, signal?: AbortSignal): Promise<void> {
    const saved = loadSavedPlan(this.tf, plan.id);
    const scope = applyScope(this.world, saved.changes);
    const { failures, fault } = scriptedApplyFailures(this.world, scope);
    const lock = this.lock('OperationTypeApply');
    const attempted = (this.world.state.replaceAttempted ??= {});
    for (const n of scope.nodes) attempted[n] = true;
    try {
      if (fault) {
        await this.world.clock.sleep(PLAN_SECONDS * 1000, signal);
        throw fault;
      }
      saved.applied = true;
      checkTerraformApply(this.world, saved.changes, scope.owners, scope.nodes);
      const total =
        scope.nodes.length > 0
          ? this.world.ms('vm-create') - PLAN_SECONDS * 1000
          : this.world.ms('template-build') - PLAN_SECONDS * 1000;
      const replaced = scope.nodes
        .filter((n) => !failures.has(n))
        .map((n) => this.world.node(n))
        .filter((n): n is InventoryNode => !!n);
      await this.replaceVms(replaced, saved.serial, lock, total, signal);
      for (const key of scope.templates) rebuildTemplate(this.world, key);
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
      this.stateLock.release(lock);
    }
  }

  /**
   * Destroy first (Proxmox VMs are not create_before_destroy), then clone the new ones, over
   * `totalMs` of simulated time. The backup must be of the state the apply started from
   * (`serial`; it covers every VM of the apply).
   */
  private async replaceVms(
    replaced: InventoryNode[],
    serial: number,
    lock: TerraformLock,
    totalMs: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await this.world.clock.sleep(Math.max(0, totalMs * 0.2), signal);
    for (const node of replaced) {
      if (!this.world.vm(node.name)) continue;
      checkBackupBeforeDestroy(this.world, node.name, serial);
      const wasOut = outOfService(this.world, node.name);
      destroyVm(this.world, node);
      this.tf.serial += 1;
      checkTakenOut(this.world, node, `VM of ${node.name} destroyed`, {
        newlyOut: !wasOut,
        storage: true,
      });
    }
    for (const node of replaced) await this.crashIfScripted(node.name, lock);
    await this.world.clock.sleep(Math.max(0, totalMs * 0.8), signal);
    for (const node of replaced) {
      createVm(this.world, node);
      this.world.state.vmReplacements[node.name] =
        (this.world.state.vmReplacements[node.name] ?? 0) + 1;
    }
  }

  /**
   * crash-during-apply: the runner dies with the VM destroyed and not created; its lock stays
   * (a killed terraform never releases it).
   */
  private async crashIfScripted(node: string, lock: TerraformLock): Promise<void> {
    if (!takeCrashDuringApply(this.world, node)) return;
    this.stateLock.leaveBehind(lock);
    if (this.world.crashHook) await this.world.crashHook();
    throw applyCrashError(node, lock.id);
  }

  async pullState(signal?: AbortSignal): Promise<StateSnapshot> {
    this.requireInit();
    await this.world.clock.sleep(this.world.ms('state-transfer', 0.4), signal);
    return {
      serial: this.tf.serial,
      lineage: this.tf.lineage,
      bytes: new TextEncoder().encode(JSON.stringify(stateDocument(this.world), null, 2)),
    };
  }

  async listResources(): Promise<string[]> {
    this.requireInit();
    return stateResources(this.world).map((r) => r.address);
  }

  async resourceIds(addresses: string[]): Promise<Record<string, string | undefined>> {
    this.requireInit();
    const all = stateResources(this.world);
    const out: Record<string, string | undefined> = {};
    for (const address of addresses) out[address] = resourceIdOf(all, address);
    return out;
  }

  async templateVersion(address: string): Promise<string | undefined> {
    this.requireInit();
    await this.world.clock.sleep(1000);
    const t = Object.values(this.world.state.templates).find((x) => isInside(address, x.address));
    return t?.version;
  }
}
