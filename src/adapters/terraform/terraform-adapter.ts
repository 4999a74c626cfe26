/**
 * InfrastructurePort over the terraform CLI, through the exec chokepoint: `-input=false`,
 * `-no-color`, `-json`, `-lock-timeout` on everything that takes the state lock. A fresh checkout
 * has no `.terraform/`: `terraform init -input=false` runs once before the adapter's first
 * command. Plans are scoped as the shell workflows did: `-target` each node module instance,
 * `-replace` only its VM resources. They are saved to a file in a private temp dir (plans carry
 * state values, i.e. possibly secrets) and applied exactly as reviewed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DroverError } from '../../core/errors.js';
import { isInside } from '../../core/terraform-address.js';
import type {
  InfrastructurePlan,
  InfrastructurePort,
  PlanRequest,
  StateSnapshot,
} from '../../ports/infrastructure.js';
import { terraformRunningIn } from './local-process.js';
import { requireEveryAddressCovered, savedPlanApplyArgs, scopedPlanArgs } from './scoped-plan.js';
import {
  planChanges,
  plannedResources,
  stateResources,
  typeAndNameOf,
  type StateResource,
} from './show-json.js';
import { TerraformCli } from './terraform-cli.js';
import { parseJson } from './terraform-failures.js';
import { templateVersionOf } from './template-version.js';
import {
  DEFAULT_TIMEOUTS,
  DEFAULT_VM_RESOURCE_TYPES,
  type TerraformAdapterOptions,
  type TerraformTimeouts,
} from './terraform-options.js';

export class TerraformAdapter implements InfrastructurePort {
  private readonly binary: string;
  private readonly lockTimeout: string;
  private readonly timeouts: TerraformTimeouts;
  private readonly planDirs = new Map<string, string>();
  private readonly vmTypes: readonly string[];
  private readonly cli: TerraformCli;

  constructor(private readonly options: TerraformAdapterOptions) {
    this.binary = options.binary ?? 'terraform';
    this.lockTimeout = options.lockTimeout ?? '5m';
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.vmTypes = options.vmResourceTypes ?? DEFAULT_VM_RESOURCE_TYPES;
    this.cli = new TerraformCli({
      workingDir: options.workingDir,
      binary: this.binary,
      lockTimeout: this.lockTimeout,
      redactor: options.redactor,
      env: options.env,
      onProgress: options.onProgress,
    });
  }

  /** `terraform init -input=false`, once (every other command runs it first; see terraform-cli). */
  init(signal?: AbortSignal): Promise<void> {
    return this.cli.init(signal);
  }

  /** Whether a state resource is a VM resource: its type, or `type.name`, is configured. */
  isVmResource(resource: Pick<StateResource, 'address' | 'type'>): boolean {
    const typeAndName = typeAndNameOf(resource.address);
    return this.vmTypes.some((t) => t === resource.type || t === typeAndName);
  }

  async plan(request: PlanRequest): Promise<InfrastructurePlan> {
    const onlyVms = (request.replaceOnly ?? 'vms') === 'vms';
    const inState = await this.resourcesUnder(request.replace, request.signal);
    const replace = inState.filter((r) => !onlyVms || this.isVmResource(r)).map((r) => r.address);
    const dir = await mkdtemp(join(tmpdir(), 'drover-tfplan-'));
    const planFile = join(dir, 'drover.tfplan');
    try {
      await this.cli.runJson(
        'plan',
        scopedPlanArgs(request.replace, replace, this.lockTimeout, planFile),
        this.timeouts.planMs,
        request.signal,
      );
      const shown = await this.cli.run(
        ['show', '-json', planFile],
        this.timeouts.readMs,
        request.signal,
      );
      const document = parseJson(shown.stdout, 'show -json <plan>');
      const changes = planChanges(document);
      requireEveryAddressCovered(request.replace, replace, changes);
      // A VM destroyed by an apply that died half-way is not in the state: the plan creates it.
      const created = plannedResources(document).filter(
        (r) =>
          request.replace.some((a) => isInside(r.address, a)) && (!onlyVms || this.isVmResource(r)),
      );
      const replaceable = [...new Set([...replace, ...created.map((r) => r.address)])].sort();
      this.planDirs.set(planFile, dir);
      return { id: planFile, changes, replaceable };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  async apply(plan: InfrastructurePlan, signal?: AbortSignal): Promise<void> {
    if (!this.planDirs.has(plan.id)) {
      throw new DroverError('failed', 'TF_PLAN_UNKNOWN', `no saved plan ${plan.id} from this run`, {
        hint: 'plan again: a saved plan is applied once, by the adapter that made it',
      });
    }
    try {
      await this.cli.runJson(
        'apply',
        savedPlanApplyArgs(this.lockTimeout, plan.id),
        this.timeouts.applyMs,
        signal,
      );
    } finally {
      // A saved plan is stale after any apply attempt; it also holds state values.
      await this.discardPlan(plan);
    }
  }

  /** Removes a saved plan that will not be applied (e.g. refused by the scope check). */
  async discardPlan(plan: InfrastructurePlan): Promise<void> {
    const dir = this.planDirs.get(plan.id);
    this.planDirs.delete(plan.id);
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  /** Removes every saved plan still around (call on shutdown). */
  async dispose(): Promise<void> {
    for (const id of [...this.planDirs.keys()]) await this.discardPlan({ id, changes: [] });
  }

  async pullState(signal?: AbortSignal): Promise<StateSnapshot> {
    const result = await this.cli.run(['state', 'pull'], this.timeouts.readMs, signal);
    const document = parseJson(result.stdout, 'state pull');
    const serial = (document as { serial?: unknown }).serial;
    const lineage = (document as { lineage?: unknown }).lineage;
    if (typeof serial !== 'number' || typeof lineage !== 'string') {
      throw new DroverError(
        'failed',
        'TF_STATE_EMPTY',
        'terraform state pull returned no state (no serial or lineage)',
        {
          hint: 'check the backend configuration and that the working directory was initialised',
        },
      );
    }
    return { serial, lineage, bytes: new Uint8Array(result.stdoutBytes) };
  }

  async listResources(signal?: AbortSignal): Promise<string[]> {
    return (await this.stateResources(signal))
      .filter((r) => r.mode === 'managed')
      .map((r) => r.address);
  }

  async resourceIds(
    addresses: string[],
    signal?: AbortSignal,
  ): Promise<Record<string, string | undefined>> {
    const resources = (await this.stateResources(signal)).filter((r) => r.mode === 'managed');
    const out: Record<string, string | undefined> = {};
    for (const address of addresses) {
      const ids = resources
        .filter((r) => isInside(r.address, address))
        .sort((a, b) => a.address.localeCompare(b.address))
        .map((r) => r.values.id)
        .filter((id): id is string | number => typeof id === 'string' || typeof id === 'number')
        .map(String);
      out[address] = ids.length > 0 ? ids.join(',') : undefined;
    }
    return out;
  }

  async templateVersion(address: string, signal?: AbortSignal): Promise<string | undefined> {
    const resources = await this.stateResources(signal);
    return templateVersionOf(resources.filter((r) => isInside(r.address, address)));
  }

  /**
   * Terraform's Lock Info `Who` for this runner: `user@host` (hashicorp/terraform v1.11
   * internal/states/statemgr/locker.go NewLockInfo).
   */
  lockOwner(): string {
    return `${userInfo().username}@${hostname()}`;
  }

  /** Whether a terraform process still works in the configured directory (see local-process). */
  localTerraformRunning(): Promise<boolean> {
    return terraformRunningIn(this.options.workingDir, this.binary);
  }

  /** `terraform force-unlock -force ID`: only for a lock the engine proved its own dead run's. */
  async forceUnlock(lockId: string, signal?: AbortSignal): Promise<void> {
    await this.cli.run(['force-unlock', '-force', lockId], this.timeouts.readMs, signal);
  }

  /**
   * `-replace` takes resource addresses; the port speaks module instances. The managed
   * resources under each address, sorted. An address with nothing in the state (a VM lost
   * mid-replacement) adds nothing: the plan then creates it, which the scope check sees.
   */
  private async resourcesUnder(
    addresses: readonly string[],
    signal?: AbortSignal,
  ): Promise<StateResource[]> {
    if (addresses.length === 0) return [];
    const managed = (await this.stateResources(signal)).filter((r) => r.mode === 'managed');
    return managed
      .filter((r) => addresses.some((a) => isInside(r.address, a)))
      .sort((a, b) => a.address.localeCompare(b.address));
  }

  /** The resources `plan` would `-replace` for these addresses (VM resources only by default). */
  async expandReplace(
    addresses: readonly string[],
    signal?: AbortSignal,
    replaceOnly: 'vms' | 'all' = 'vms',
  ): Promise<string[]> {
    return (await this.resourcesUnder(addresses, signal))
      .filter((r) => replaceOnly === 'all' || this.isVmResource(r))
      .map((r) => r.address);
  }

  private async stateResources(signal?: AbortSignal): Promise<StateResource[]> {
    const result = await this.cli.run(['show', '-json', '-no-color'], this.timeouts.readMs, signal);
    return stateResources(parseJson(result.stdout, 'show -json'));
  }
}
