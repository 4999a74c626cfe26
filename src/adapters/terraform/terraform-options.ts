/** What the Terraform adapter is configured with (the Drover config's `terraform` section). */
import type { Redactor } from '../../core/redact.js';
import type { TerraformProgress } from './json-stream.js';

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

export const DEFAULT_TIMEOUTS: TerraformTimeouts = {
  planMs: 15 * 60_000,
  applyMs: 60 * 60_000,
  readMs: 5 * 60_000,
};
