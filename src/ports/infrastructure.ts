/**
 * Infrastructure as code: Terraform over Proxmox (adapters/terraform) or the simulated cluster.
 * One state, one operation at a time: callers serialize through the engine's state mutex.
 */
/** Every action `terraform show -json` prints (hashicorp/terraform v1.11 internal/command/jsonplan/plan.go). */
export const RESOURCE_ACTIONS = ['no-op', 'create', 'read', 'update', 'delete', 'forget'] as const;
export type ResourceAction = (typeof RESOURCE_ACTIONS)[number];

export interface ResourceChange {
  address: string;
  actions: ResourceAction[];
}

export interface InfrastructurePlan {
  /** Opaque handle of the saved plan (a plan file path for Terraform). */
  id: string;
  /** Every resource change in the plan; no-ops may be omitted. */
  changes: ResourceChange[];
  /**
   * Resource instances under the targets that this plan may create or delete: the VM resources
   * (the configured VM resource types) for a node, every resource for a template. The scope
   * check refuses a create or delete of anything else.
   */
  replaceable?: string[];
}

export interface StateSnapshot {
  serial: number;
  lineage: string;
  bytes: Uint8Array;
}

export interface PlanRequest {
  /**
   * Module instances (or resources) to recreate: the plan is limited to them (`-target` each)
   * and `-replace`s the resources under them that `replaceOnly` selects.
   */
  replace: string[];
  /**
   * 'vms' (default, node replacements): only the VM resources (configured types, default
   * `proxmox_virtual_environment_vm`), never bootstrap, secrets, tls or random resources that
   * share the module. 'all': every resource under the targets (template rebuilds).
   */
  replaceOnly?: 'vms' | 'all';
  signal?: AbortSignal;
}

/** Terraform's Lock Info, as printed by a lock error or read back from a backend. */
export interface StateLockHolder {
  id: string;
  who?: string;
  operation?: string;
  created?: string;
}

export interface InfrastructurePort {
  /** `terraform init -input=false` (backend and providers); idempotent. */
  init?(signal?: AbortSignal): Promise<void>;
  plan(request: PlanRequest): Promise<InfrastructurePlan>;
  /**
   * Applies a saved plan. The signal, if any, is for a hard shutdown only: the engine never
   * passes the run's abort signal (an apply killed half-way leaves a VM destroyed, not created).
   */
  apply(plan: InfrastructurePlan, signal?: AbortSignal): Promise<void>;
  /** Drops a saved plan that will not be applied (refused, or made only to be checked). */
  discardPlan?(plan: InfrastructurePlan): Promise<void>;
  pullState(signal?: AbortSignal): Promise<StateSnapshot>;
  /** Addresses of every resource in the state. */
  listResources(signal?: AbortSignal): Promise<string[]>;
  /**
   * Provider ids of the resources under each address (a module address covers its resources);
   * undefined where nothing exists. On Proxmox the id is the VMID, which a pinned `vm_id` keeps
   * and Proxmox may reuse: an id is no proof that a VM was recreated.
   */
  resourceIds(
    addresses: string[],
    signal?: AbortSignal,
  ): Promise<Record<string, string | undefined>>;
  /** The Talos version a template resource was built for, when it can tell. */
  templateVersion(address: string, signal?: AbortSignal): Promise<string | undefined>;
  /**
   * Releases a state lock by its ID (`terraform force-unlock -force ID`). The engine calls it only
   * for a lock it proved its own dead run left behind.
   */
  forceUnlock?(lockId: string, signal?: AbortSignal): Promise<void>;
  /** The `Who` Terraform writes into the Lock Info of this runner's operations (`user@host`). */
  lockOwner?(): string;
  /**
   * Whether a Terraform process of this runner still works in the configured directory (a child
   * that outlived its killed parent still holds its lock legitimately).
   */
  localTerraformRunning?(signal?: AbortSignal): Promise<boolean>;
}
