/**
 * The `drover.yaml` schema, the single definition behind validation and the generated JSON
 * Schema (schema/drover.schema.json). It describes shapes only; rules that span fields (unique
 * names, references between sections, CEL expressions) live in check-config.ts.
 *
 * Secrets never appear here: only file paths (SOPS files, patches) and environment variable
 * NAMES. Paths are relative to the config file.
 */
import { z } from 'zod';
import { INSTALLER_PLATFORMS, NODE_ROLES } from '../../core/inventory.js';
import { address, dnsLabel, envName, nodeName, path, tfAddress, version } from './config-fields.js';
import { duration } from './duration.js';
import { GatesSchema } from './gates-schema.js';
import { PolicySchema } from './policy-schema.js';
import { MaintenanceSchema } from './maintenance-schema.js';
import { PreflightSchema, ReleaseGateSchema } from './preflight-schema.js';
import { AlertmanagerSchema, HOOKS_DEFAULT, HooksSchema } from './hooks-schema.js';

export const MachineConfigSourceSchema = z.union(
  [
    z.strictObject({ sops: path.describe('SOPS-encrypted machine config file') }),
    z.strictObject({
      envBase64: envName.describe(
        'Name of the environment variable holding the base64 machine config',
      ),
    }),
  ],
  { error: 'must be { sops: <file> } or { envBase64: <VARIABLE_NAME> }' },
);

const roleMap = <T extends z.ZodType>(value: T) =>
  z.strictObject(
    Object.fromEntries(NODE_ROLES.map((r) => [r, value.optional()])) as {
      controlplane: z.ZodOptional<T>;
      worker: z.ZodOptional<T>;
    },
  );

export const NodeSchema = z.strictObject({
  name: nodeName.describe('Kubernetes node name, also the VM hostname (kept across replacements)'),
  role: z.enum(NODE_ROLES),
  host: dnsLabel.describe('Proxmox host the VM runs on: the failure domain'),
  address: address.describe('Address talosctl reaches the node at'),
  flavor: dnsLabel
    .default('base')
    .describe('Node group: picks the schematic and the template flavour (e.g. base, gpu)'),
  gpu: z.boolean().default(false).describe('Expect the GPU label and allocatable GPUs after boot'),
  osd: z.boolean().default(false).describe('The node runs Ceph OSDs'),
  storageDomain: dnsLabel
    .optional()
    .describe('Storage failure domain, when it differs from the Proxmox host'),
  patches: z.array(path).default([]).describe('Patches for this node only, after global and role'),
  terraformAddresses: z
    .array(tfAddress)
    .min(1)
    .optional()
    .describe('Explicit Terraform addresses of the VM (instead of terraform.nodeAddresses)'),
  machineConfig: MachineConfigSourceSchema.optional().describe(
    'Machine config for this node (instead of machineConfigs.<role>)',
  ),
  labels: z.record(z.string(), z.string()).optional(),
});

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    cluster: dnsLabel.describe('Cluster name: names the lock, backups and concurrency group'),
    versions: z
      .strictObject({ talos: version.optional(), kubernetes: version.optional() })
      .default({})
      .describe('Current versions: the default --from of drover plan and upgrade'),
    terraform: z.strictObject({
      dir: path.default('terraform').describe('Terraform root module directory'),
      nodeAddresses: roleMap(tfAddress)
        .default({})
        .describe('Per role, the VM address with a {name} placeholder'),
      templateAddress: tfAddress
        .optional()
        .describe('Template address with {host} and {flavor} placeholders'),
      templates: z
        .record(z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'keys are <host>/<flavor>'), tfAddress)
        .default({})
        .describe('Explicit template addresses by <host>/<flavor> (override templateAddress)'),
      lockTimeoutSeconds: duration('terraform -lock-timeout', 0).prefault(300),
      vmResourceTypes: z
        .array(
          z
            .string()
            .regex(
              /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)?$/,
              'a resource type, or type.name',
            ),
        )
        .min(1)
        .default(['proxmox_virtual_environment_vm'])
        .describe(
          "The resources a node replacement recreates (-replace): resource types or type.name; every other resource of the node module is only -target'ed",
        ),
    }),
    schematics: z
      .record(
        dnsLabel,
        z.strictObject({
          id: z
            .string()
            .regex(/^[0-9a-f]{64}$/, 'must be the 64-hex-digit id the Image Factory returned'),
          platform: z.enum(INSTALLER_PLATFORMS).default('nocloud'),
        }),
      )
      .describe('Installer schematic and platform per node group (flavor)'),
    machineConfigs: roleMap(MachineConfigSourceSchema)
      .default({})
      .describe('Machine config source per role'),
    patches: z
      .strictObject({
        global: z.array(path).default([]),
        controlplane: z.array(path).default([]),
        worker: z.array(path).default([]),
      })
      .default({ global: [], controlplane: [], worker: [] })
      .describe('Machine config patches, applied in order: global, role, node'),
    nodes: z.array(NodeSchema).min(1),
    policy: PolicySchema.default({}),
    maintenance: MaintenanceSchema.optional(),
    gates: GatesSchema,
    backup: z
      .strictObject({
        s3: z
          .strictObject({
            bucket: z.string().min(3),
            prefix: z.string().default('drover'),
            endpoint: z.url().optional().describe('For MinIO or Ceph RGW; omit for AWS'),
            region: z.string().min(1),
            forcePathStyle: z.boolean().default(false),
          })
          .optional()
          .describe('State backups in S3 (credentials from AWS_* variables)'),
        localDir: path.default('.drover/backups'),
      })
      .default({ localDir: '.drover/backups' }),
    journal: z
      .strictObject({
        file: path.default('drover-journal.jsonl'),
        s3: z.boolean().default(false).describe('Also keep the journal in backup.s3'),
      })
      .default({ file: 'drover-journal.jsonl', s3: false }),
    lock: z
      .strictObject({
        namespace: dnsLabel.default('kube-system'),
        name: dnsLabel.default('drover-upgrade'),
        ttlSeconds: duration('How long the lease holds without renewal', 30).prefault(300),
      })
      .default({ namespace: 'kube-system', name: 'drover-upgrade', ttlSeconds: 300 }),
    kubernetes: z
      .strictObject({ kubeconfig: path.optional(), context: z.string().optional() })
      .default({}),
    talos: z
      .strictObject({
        talosconfig: path.optional(),
        endpoints: z.array(address).default([]).describe('Default: the control plane addresses'),
      })
      .default({ endpoints: [] }),
    hooks: HooksSchema.default(HOOKS_DEFAULT),
    alertmanager: AlertmanagerSchema.optional(),
    preflight: PreflightSchema,
    releaseGate: ReleaseGateSchema.optional(),
  })
  .describe('Drover configuration: one Talos cluster on Proxmox managed with Terraform');

export type DroverConfig = z.output<typeof ConfigSchema>;
export type DroverConfigInput = z.input<typeof ConfigSchema>;
export type ConfigNode = z.output<typeof NodeSchema>;
export type MachineConfigSourceConfig = z.output<typeof MachineConfigSourceSchema>;
