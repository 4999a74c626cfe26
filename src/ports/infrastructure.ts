/**
 * Infrastructure as code: Terraform over Proxmox (adapters/terraform) or the simulated cluster.
 * One state, one operation at a time: callers serialize through the engine's state mutex.
 */
export const RESOURCE_ACTIONS = ['no-op', 'create', 'read', 'update', 'delete'] as const;
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
}

export interface StateSnapshot {
  serial: number;
  lineage: string;
  bytes: Uint8Array;
}

export interface PlanRequest {
  /** Resource addresses to replace (`-replace`). Module addresses expand to their resources. */
  replace: string[];
  signal?: AbortSignal;
}

export interface InfrastructurePort {
  plan(request: PlanRequest): Promise<InfrastructurePlan>;
  apply(plan: InfrastructurePlan, signal?: AbortSignal): Promise<void>;
  pullState(signal?: AbortSignal): Promise<StateSnapshot>;
  /** Addresses of every resource in the state. */
  listResources(signal?: AbortSignal): Promise<string[]>;
  /**
   * Provider ids of the resources under each address (a module address covers its resources);
   * undefined where nothing exists. A changed id means the VM was replaced: resume relies on it.
   */
  resourceIds(addresses: string[], signal?: AbortSignal): Promise<Record<string, string | undefined>>;
  /** The Talos version a template resource was built for, when it can tell. */
  templateVersion(address: string, signal?: AbortSignal): Promise<string | undefined>;
}
