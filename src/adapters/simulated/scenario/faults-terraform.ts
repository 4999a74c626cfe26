/**
 * Terraform/Proxmox as bpg and Terraform really behave (issue 11): scenario settings of the
 * simulated Terraform configuration and the faults that make it hostile. Documented in
 * docs/scenarios.md. Sources: hashicorp/terraform v1.11.4 (targeting, -replace, lock errors,
 * internal/command/clistate/state.go), bpg/terraform-provider-proxmox (VMID is the resource
 * id, clone.vm_id is ForceNew: proxmoxtf/resource/vm/vm.go).
 */
import { z } from 'zod';

const seconds = z.number().nonnegative();
/** A resource address relative to a node module instance, e.g. `talos_machine_bootstrap.this`. */
const relativeAddress = z
  .string()
  .regex(/^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*$/, 'must be <type>.<name>');

export const terraformScenarioSchema = z
  .strictObject({
    /**
     * How a recreated VM gets its VMID: `lowest-free` (Proxmox's /cluster/nextid: the freed
     * number comes straight back) or `pinned` (vm_id set in the module: the same id).
     */
    vmIds: z.enum(['lowest-free', 'pinned']).default('lowest-free'),
    /** `pinned`: a rebuilt template keeps its VMID; `new`: it gets a new one (clones' clone.vm_id changes). */
    templateVmIds: z.enum(['pinned', 'new']).default('new'),
    /** Other resources in every node module besides the VM (talos_machine_configuration_apply follows the VM in place). */
    nodeModuleResources: z.array(relativeAddress).default([]),
    /** Unrelated drift elsewhere in the configuration: in every unscoped plan, never in a -target'ed one. */
    drift: z.boolean().default(false),
    /** false: a fresh (CI) checkout without `.terraform/`: every command fails until `terraform init`. */
    initialised: z.boolean().default(true),
  })
  .default({
    vmIds: 'lowest-free',
    templateVmIds: 'new',
    nodeModuleResources: [],
    drift: false,
    initialised: true,
  });

export type TerraformScenario = z.output<typeof terraformScenarioSchema>;

export const terraformFaultSchemas = [
  /** The node's plan recreates (or changes) another resource of its module, e.g. a bootstrap. */
  z.strictObject({
    type: z.literal('plan-changes-module-resource'),
    node: z.string(),
    resource: relativeAddress,
    actions: z
      .array(z.enum(['create', 'delete', 'update', 'forget']))
      .min(1)
      .default(['delete', 'create']),
  }),
  /** Someone else's Terraform run holds the state lock (Lock Info printed), for a while or forever. */
  z.strictObject({
    type: z.literal('tf-lock-held'),
    who: z.string().default('alice@laptop'),
    fromSeconds: seconds.default(0),
    untilSeconds: seconds.optional(),
  }),
  /** "Error acquiring the state lock" without Lock Info: S3 AccessDenied. Not a lock. */
  z.strictObject({
    type: z.literal('tf-lock-error'),
    fromSeconds: seconds.default(0),
    untilSeconds: seconds.optional(),
  }),
  /**
   * The runner dies inside the node's `terraform apply`, right after Proxmox destroyed the VM:
   * the state says destroyed, nothing is created, and Drover's own apply lock stays behind.
   * With `simulate --world` the process is killed (SIGKILL); in-process the apply fails.
   */
  z.strictObject({
    type: z.literal('crash-during-apply'),
    node: z.string(),
  }),
  /** The backup store reads back other bytes than were written (times: how many reads). */
  z.strictObject({
    type: z.literal('backup-reads-back-different'),
    times: z.union([z.number().int().positive(), z.literal('always')]).default(1),
  }),
] as const;
