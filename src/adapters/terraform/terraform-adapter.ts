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
import type { Redactor } from '../../core/redact.js';
import { isInside } from '../../core/terraform-address.js';
import type {
  InfrastructurePlan,
  InfrastructurePort,
  PlanRequest,
  ResourceChange,
  StateSnapshot,
} from '../../ports/infrastructure.js';
import { exec, type ExecResult } from '../exec/exec.js';
import {
  createdAddresses,
  JsonLineSplitter,
  parseJsonLine,
  parseJsonStream,
  type TerraformDiagnostic,
  type TerraformProgress,
} from './json-stream.js';
import { terraformRunningIn } from './local-process.js';
import {
  planChanges,
  plannedResources,
  stateResources,
  typeAndNameOf,
  type StateResource,
} from './show-json.js';
import { findLockDiagnostic, stateLockedError } from './state-lock.js';
import { templateVersionOf } from './template-version.js';

export interface TerraformTimeouts {
  planMs: number;
  applyMs: number;
  /** state pull and show -json. */
  readMs: number;
}

export interface TerraformAdapterOptions {
  workingDir: string;
  binary?: string;
  /** Passed as -lock-timeout, e.g. '5m'. */
  lockTimeout?: string;
  timeouts?: Partial<TerraformTimeouts>;
  redactor: Redactor;
  /** Extra environment, e.g. backend credentials (AWS_*); never argv. */
  env?: Record<string, string | undefined>;
  onProgress?: (event: TerraformProgress) => void;
  /**
   * The resources a node replacement recreates: resource types (`proxmox_virtual_environment_vm`)
   * or `type.name` (`terraform_data.vm`). Default: the bpg VM resource.
   */
  vmResourceTypes?: readonly string[];
}

export const DEFAULT_VM_RESOURCE_TYPES = ['proxmox_virtual_environment_vm'] as const;

const DEFAULT_TIMEOUTS: TerraformTimeouts = {
  planMs: 15 * 60_000,
  applyMs: 60 * 60_000,
  readMs: 5 * 60_000,
};
/** init downloads providers and configures the backend. */
const INIT_TIMEOUT_MS = 10 * 60_000;

export class TerraformAdapter implements InfrastructurePort {
  private readonly binary: string;
  private readonly lockTimeout: string;
  private readonly timeouts: TerraformTimeouts;
  private readonly planDirs = new Map<string, string>();
  private readonly vmTypes: readonly string[];
  private initialised: Promise<void> | undefined;

  constructor(private readonly options: TerraformAdapterOptions) {
    this.binary = options.binary ?? 'terraform';
    this.lockTimeout = options.lockTimeout ?? '5m';
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.vmTypes = options.vmResourceTypes ?? DEFAULT_VM_RESOURCE_TYPES;
  }

  /**
   * `terraform init -input=false` once (backend and providers): a fresh or CI checkout has no
   * `.terraform/`, and every other command fails with "Backend initialization required". A
   * failed init is retried by the next command.
   */
  init(signal?: AbortSignal): Promise<void> {
    this.initialised ??= (async () => {
      const result = await this.exec(
        ['init', '-input=false', '-no-color'],
        INIT_TIMEOUT_MS,
        signal,
      );
      if (result.exitCode !== 0) {
        throw new DroverError(
          'failed',
          'TF_INIT_FAILED',
          `terraform init exited ${result.exitCode}: ${tail(result.stderr || result.stdout)}`,
          {
            hint: 'check the backend configuration and credentials (environment or -backend-config) and that the providers can be downloaded',
          },
        );
      }
    })().catch((error: unknown) => {
      this.initialised = undefined;
      throw error;
    });
    return this.initialised;
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
      await this.runJson(
        'plan',
        [
          'plan',
          '-input=false',
          '-no-color',
          '-json',
          `-lock-timeout=${this.lockTimeout}`,
          ...request.replace.map((address) => `-target=${address}`),
          ...replace.map((address) => `-replace=${address}`),
          `-out=${planFile}`,
        ],
        this.timeouts.planMs,
        request.signal,
      );
      const shown = await this.run(
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
      await this.runJson(
        'apply',
        [
          'apply',
          '-input=false',
          '-no-color',
          '-json',
          `-lock-timeout=${this.lockTimeout}`,
          plan.id,
        ],
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
    const result = await this.run(['state', 'pull'], this.timeouts.readMs, signal);
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
    await this.run(['force-unlock', '-force', lockId], this.timeouts.readMs, signal);
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
    const result = await this.run(['show', '-json', '-no-color'], this.timeouts.readMs, signal);
    return stateResources(parseJson(result.stdout, 'show -json'));
  }

  /** Runs a `-json` command, streaming progress, and turns failures into precise errors. */
  private async runJson(
    what: 'plan' | 'apply',
    args: string[],
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ExecResult> {
    const onProgress = this.options.onProgress;
    const splitter = new JsonLineSplitter((line) => {
      const { progress } = parseJsonLine(line);
      if (progress) onProgress?.(progress);
    });
    const result = await this.exec(args, timeoutMs, signal, (stream, chunk) => {
      if (stream === 'stdout') splitter.push(chunk);
    });
    splitter.end();
    if (result.exitCode === 0) return result;
    const { diagnostics } = parseJsonStream(result.stdout);
    const lock = findLockDiagnostic(diagnostics);
    if (lock) throw stateLockedError(lock, this.lockTimeout);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const stale = errors.some((d) => /saved plan is stale/i.test(d.summary));
    throw new DroverError(
      'failed',
      stale ? 'TF_PLAN_STALE' : what === 'plan' ? 'TF_PLAN_FAILED' : 'TF_APPLY_FAILED',
      `terraform ${what} exited ${result.exitCode}: ${describeDiagnostics(errors, result.stderr)}`,
      {
        hint: stale
          ? 'the state changed since the plan was made: plan again'
          : what === 'apply'
            ? 'the apply may have changed some resources: Drover re-reads the state before any retry'
            : 'fix the Terraform configuration or backend access, then retry',
        details: {
          exitCode: result.exitCode,
          diagnostics: errors,
          // A multi-target apply creates in parallel: what it did create is recreated for good.
          ...(what === 'apply' ? { completed: createdAddresses(result.stdout) } : {}),
        },
      },
    );
  }

  private async run(args: string[], timeoutMs: number, signal?: AbortSignal): Promise<ExecResult> {
    const result = await this.exec(args, timeoutMs, signal);
    if (result.exitCode !== 0) {
      throw new DroverError(
        'failed',
        'TF_COMMAND_FAILED',
        `terraform ${args.slice(0, 2).join(' ')} exited ${result.exitCode}: ${tail(result.stderr || result.stdout)}`,
        {
          hint: 'check that the working directory was initialised (terraform init) and the backend is reachable',
        },
      );
    }
    return result;
  }

  private async exec(
    args: string[],
    timeoutMs: number,
    signal: AbortSignal | undefined,
    onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void,
  ): Promise<ExecResult> {
    if (args[0] !== 'init') await this.init(signal);
    return exec({
      file: this.binary,
      args,
      cwd: this.options.workingDir,
      timeoutMs,
      signal,
      redactor: this.options.redactor,
      onOutput,
      env: { TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1', ...this.options.env },
    });
  }
}

/**
 * An address to replace that matched nothing in the state must at least be created by the plan;
 * otherwise it is a wrong address, and a plan without it would "replace" nothing silently.
 */
function requireEveryAddressCovered(
  requested: readonly string[],
  expanded: readonly string[],
  changes: readonly ResourceChange[],
): void {
  for (const address of requested) {
    if (expanded.some((r) => isInside(r, address))) continue;
    const created = changes.some(
      (c) => isInside(c.address, address) && c.actions.includes('create'),
    );
    if (!created) {
      throw new DroverError(
        'input',
        'TF_ADDRESS_UNKNOWN',
        `${address} matches no resource to replace in the Terraform state or the plan`,
        {
          hint: "check the node's terraform address (pattern or map) in the Drover config against `terraform state list`, and that terraform.vmResourceTypes names its VM resource",
          details: { address },
        },
      );
    }
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new DroverError(
      'failed',
      'TF_JSON_INVALID',
      `terraform ${what} did not print JSON: ${tail(text, 200)}`,
      {
        cause,
        hint: 'check the Terraform version and that nothing else writes to its stdout',
      },
    );
  }
}

function describeDiagnostics(errors: TerraformDiagnostic[], stderr: string): string {
  if (errors.length === 0) return tail(stderr) || 'no diagnostic';
  return errors
    .map(
      (d) =>
        `${d.address ? `${d.address}: ` : ''}${d.summary}${d.detail ? ` (${tail(d.detail, 300)})` : ''}`,
    )
    .join('; ');
}

function tail(text: string, max = 600): string {
  const t = text.trim();
  return t.length <= max ? t : `…${t.slice(-max)}`;
}
