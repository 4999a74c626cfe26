/**
 * The scenario format (YAML) of the simulated cluster: the cluster's shape, the versions, the
 * policy (policy-schema.ts) and step durations, the workloads (workloads-schema.ts), and
 * scripted faults (faults-schema.ts). Documented in docs/scenarios.md.
 */
import { z } from 'zod';
import { STEP_ACTIONS, UPGRADE_KINDS } from '../../../core/plan.js';
import { NODE_ROLES, INSTALLER_PLATFORMS } from '../../../core/inventory.js';
import { MAX_SEED } from '../world/rng.js';
import { faultSchema } from './faults-schema.js';
import { name, quantity, seconds, version } from './fields.js';
import { maintenanceScenarioSchema, startAtSchema } from './maintenance.js';
import { terraformScenarioSchema } from './faults-terraform.js';
import { scenarioHooksSchema } from './hooks.js';
import { policySchema } from './policy-schema.js';
import { workloadsSchema } from './workloads-schema.js';

const nodeSchema = z.strictObject({
  name,
  role: z.enum(NODE_ROLES),
  host: name,
  address: z.string().min(1),
  /** Template flavour on the node's host: base, gpu, ... */
  flavor: z.string().default('base'),
  /** Terraform module address; defaults to module.control_plane_nodes["<name>"] / module.worker_nodes["<name>"]. */
  terraformAddress: z.string().optional(),
  gpu: z.boolean().default(false),
  osd: z.boolean().default(false),
  storageDomain: z.string().optional(),
  /** Node-specific patch ids, after the global and role patches. */
  patches: z.array(z.string()).default([]),
  labels: z.record(z.string(), z.string()).default({}),
  platform: z.enum(INSTALLER_PLATFORMS).default('nocloud'),
  /** The Node's allocatable CPU and memory (quantities); a typical VM of its role by default. */
  allocatable: z.strictObject({ cpu: quantity, memory: quantity }).optional(),
});

const templateSchema = z.strictObject({
  host: name,
  flavor: z.string(),
  /** Key of `schematics`. */
  schematic: z.string(),
  address: z.string().optional(),
});

const durationsSchema = z.partialRecord(z.enum(STEP_ACTIONS), seconds);

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  cluster: name.default('homelab'),
  upgrade: z.strictObject({
    kind: z.enum(UPGRADE_KINDS).default('cattle'),
    talos: z.strictObject({ from: version, to: version }),
    kubernetes: z.strictObject({ from: version, to: version.optional() }),
    /** The versions go down on purpose: simulate does not refuse them as the router would. */
    allowDowngrade: z.boolean().optional(),
  }),
  /** Seed of the simulation when --seed is not given. */
  seed: z.number().int().min(0).max(MAX_SEED).optional(),
  /** Virtual date and time the simulation starts at (default 2026-01-05T02:00:00Z). */
  startAt: startAtSchema.optional(),
  /** Maintenance windows, as in drover.yaml. */
  maintenance: maintenanceScenarioSchema.optional(),
  hosts: z.array(name).min(1),
  /** Image Factory schematic ids by key. */
  schematics: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits')),
  templates: z.array(templateSchema).default([]),
  /** Talos machine-config patches by id (YAML text). */
  patches: z.record(z.string(), z.string()).default({}),
  /** Patch ids for every node, and per role, applied before a node's own patches. */
  patchSets: z
    .strictObject({
      global: z.array(z.string()).default([]),
      controlplane: z.array(z.string()).default([]),
      worker: z.array(z.string()).default([]),
    })
    .default({ global: [], controlplane: [], worker: [] }),
  nodes: z.array(nodeSchema).min(1),
  storage: z
    .strictObject({
      ceph: z.boolean().default(true),
      /** Failure domains Ceph survives losing at once (replication). */
      toleratedDomainsDown: z.number().int().nonnegative().default(1),
    })
    .default({ ceph: true, toleratedDomainsDown: 1 }),
  workloads: workloadsSchema,
  policy: policySchema.default({}),
  durations: durationsSchema.default({}),
  faults: z.array(faultSchema).default([]),
  terraform: terraformScenarioSchema,
  /** Scripted operator hooks (scenario/hooks.ts). */
  hooks: scenarioHooksSchema,
  /**
   * The installer images' registry (the Image Factory): images it lacks, by node (any version,
   * or one), and whether it answers at all. Drover checks them before the first cordon.
   */
  registry: z
    .strictObject({
      missing: z.array(z.strictObject({ node: name, version: version.optional() })).default([]),
      unreachable: z.boolean().default(false),
    })
    .default({ missing: [], unreachable: false }),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioNode = Scenario['nodes'][number];
export type ScenarioFault = Scenario['faults'][number];
export type ScenarioDeployment = Scenario['workloads']['deployments'][number];
