/**
 * The scenario format (YAML) of the simulated cluster: the cluster's shape, the versions, the
 * policy and step durations, the workloads, and scripted faults. Documented in docs/scenarios.md.
 */
import { quantityValue } from '../../../core/quantity.js';
import { z } from 'zod';
import { STEP_ACTIONS, UPGRADE_KINDS } from '../../../core/plan.js';
import { NODE_ROLES, INSTALLER_PLATFORMS } from '../../../core/inventory.js';
import { leaseHeldByDeadRunner, skewedRunner } from './faults-engine.js';
import { MAX_SEED } from '../world/rng.js';
import { faultTiming, type Operation } from './fault-timing.js';
import {
  etcdLeader,
  k8sRemovedApis,
  talosNeverBack,
  talosRollsBack,
  talosUpgradeDrops,
} from './faults-talos.js';
import { kubernetesFaultSchemas } from './faults-kubernetes.js';
import { maintenanceScenarioSchema, startAtSchema } from './maintenance.js';
import { terraformFaultSchemas, terraformScenarioSchema } from './faults-terraform.js';
import { scenarioHooksSchema } from './hooks.js';

const name = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    'must be a DNS-1123 name (lower case, digits, - and .)',
  );
const version = z
  .string()
  .regex(/^v?\d+\.\d+\.\d+$/, 'must be a version like 1.11.0')
  .transform((v) => v.replace(/^v/, ''));
const seconds = z.number().nonnegative();

/** A Kubernetes resource quantity (core/quantity.ts): 500m, 1.5, 2Gi, 512M. */
const quantity = z
  .string()
  .refine((q) => quantityValue(q) !== undefined, 'not a Kubernetes quantity (e.g. 500m, 2Gi)');

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

/** A PDB bound as Kubernetes takes it: an integer, or a percentage from 0% to 100%. */
const intOrPercent = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^(100|[1-9]?[0-9])%$/, 'must be an integer or a percentage from 0% to 100%'),
]);

const pdbSchema = z.union([
  z.strictObject({ minAvailable: intOrPercent }),
  z.strictObject({ maxUnavailable: intOrPercent }),
]);

/** Pods of one workload the simulated cluster holds (its controllers are not built for more). */
export const MAX_REPLICAS = 200;
const replicas = z.number().int().min(0).max(MAX_REPLICAS);

const placement = z.enum(['workers', 'all', 'controlplane', 'osd', 'gpu']);

const deploymentSchema = z.strictObject({
  namespace: name.default('default'),
  name,
  replicas,
  pdb: pdbSchema.optional(),
  /** Replicas must run on different nodes (required pod anti-affinity). */
  spreadAcrossNodes: z.boolean().default(false),
  on: placement.default('workers'),
  emptyDir: z.boolean().default(false),
  terminationGracePeriodSeconds: z.number().int().nonnegative().optional(),
  /** Each pod's requests (Kubernetes quantities, e.g. cpu 500m, memory 1Gi); none by default. */
  requests: z.strictObject({ cpu: quantity, memory: quantity }).optional(),
});

const daemonSetSchema = z.strictObject({
  namespace: name.default('default'),
  name,
  on: placement.default('all'),
});

const helmReleaseSchema = z.strictObject({
  namespace: name.default('flux-system'),
  name,
  ready: z.boolean().default(true),
});

/** What a lived-in cluster carries that no check covers (world/lived-in.ts, docs/scenarios.md). */
const leftoversSchema = z.strictObject({
  /** CronJobs, each with its finished Job pods kept as history (phase Succeeded). */
  cronJobs: z
    .array(
      z.strictObject({
        namespace: name.default('default'),
        name,
        history: z.number().int().min(0).max(10).default(3),
      }),
    )
    .default([]),
  /** Bare pods (no controller) that ran to completion: phase Succeeded. */
  finishedBarePods: z.number().int().min(0).max(50).default(0),
  /** Pods the kubelet evicted (phase Failed, reason Evicted), left by the first Deployment. */
  evictedPods: z.number().int().min(0).max(50).default(0),
  /** Jobs whose pod crash-loops for good: phase Running, Ready=False, CrashLoopBackOff. */
  crashLoopingJobs: z
    .array(z.strictObject({ namespace: name.default('default'), name }))
    .default([]),
});

/**
 * Requests a step-fails fault can fail (operations of fault-timing.ts, reported by the port call
 * that is asked to do them); the YAML key stays `action`.
 */
export const FAULTABLE_ACTIONS = [
  'rebuild-template',
  'replace-vm',
  'backup-state',
  'apply-config',
  'talos-upgrade',
  'k8s-upgrade',
  'cordon',
  'uncordon',
  'drain',
  'etcd-leave',
  'storage-noout-set',
  'storage-noout-unset',
  'wait-maintenance',
  'wait-ready',
] as const satisfies readonly Operation[];
export type FaultableAction = (typeof FAULTABLE_ACTIONS)[number];

const stepFails = z.strictObject({
  type: z.literal('step-fails'),
  action: z.enum(FAULTABLE_ACTIONS),
  node: z.string().optional(),
  times: z.union([z.number().int().positive(), z.literal('always')]).default(1),
  /** Default: true for a number of times, false for always. */
  transient: z.boolean().optional(),
  message: z.string().optional(),
});

const faultSchema = z.discriminatedUnion('type', [
  stepFails,
  z.strictObject({ type: z.literal('never-ready'), node: z.string() }),
  z.strictObject({
    type: z.literal('pdb-blocks'),
    namespace: z.string().default('default'),
    name: z.string(),
    ...faultTiming,
  }),
  z.strictObject({ type: z.literal('etcd-unhealthy'), node: z.string(), ...faultTiming }),
  z.strictObject({ type: z.literal('s3-unavailable'), ...faultTiming }),
  z.strictObject({
    type: z.literal('plan-extra-resource'),
    node: z.string(),
    address: z.string().optional(),
  }),
  z.strictObject({ type: z.literal('old-vm-lingers'), node: z.string() }),
  z.strictObject({ type: z.literal('node-down'), node: z.string(), ...faultTiming }),
  /** The Drover process dies (SIGKILL) when the fault fires, after the world was saved. */
  z.strictObject({ type: z.literal('crash'), ...faultTiming }),
  leaseHeldByDeadRunner,
  skewedRunner,
  talosUpgradeDrops,
  talosRollsBack,
  talosNeverBack,
  etcdLeader,
  k8sRemovedApis,
  ...kubernetesFaultSchemas,
  ...terraformFaultSchemas,
]);

/**
 * Fault types with a timing block (fault-timing.ts), or their own `fromSeconds`: in force only
 * between start and end.
 */
export const TIMED_FAULT_TYPES: ReadonlySet<string> = new Set(
  faultSchema.options
    .filter((o) => 'when' in o.shape || 'fromSeconds' in o.shape)
    .map((o) => o.shape.type.value),
);

const durationsSchema = z.partialRecord(z.enum(STEP_ACTIONS), seconds);

/** Policy overrides, merged over DEFAULT_POLICY section by section. */
const policySchema = z.strictObject({
  drain: z
    .strictObject({
      gracefulSeconds: seconds,
      forceAfterGrace: z.boolean(),
      deleteEmptyDirData: z.boolean(),
      deleteUnmanagedPods: z.boolean(),
      podTerminationTimeoutSeconds: seconds,
    })
    .partial()
    .optional(),
  disruption: z
    .strictObject({
      maxUnavailableWorkers: z.number().int().positive(),
      maxUnavailableDomains: z.number().int().positive(),
      templateRebuildConcurrency: z.number().int().positive(),
      petsBatchSize: z.number().int().positive(),
    })
    .partial()
    .optional(),
  timeouts: z
    .strictObject({
      gateSeconds: seconds,
      nodeReadySeconds: seconds,
      maintenanceModeSeconds: seconds,
      etcdRejoinSeconds: seconds,
      terraformSeconds: seconds,
      talosUpgradeSeconds: seconds,
      apiServerStablePasses: z.number().int().positive(),
    })
    .partial()
    .optional(),
  retry: z
    .strictObject({
      attempts: z.number().int().positive(),
      initialBackoffSeconds: seconds,
      maxBackoffSeconds: seconds,
    })
    .partial()
    .optional(),
  cephNoout: z.boolean().optional(),
});

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
  workloads: z
    .strictObject({
      coredns: z.strictObject({ replicas }).default({ replicas: 2 }),
      deployments: z.array(deploymentSchema).default([]),
      statefulsets: z.array(deploymentSchema).default([]),
      daemonsets: z.array(daemonSetSchema).default([]),
      helmReleases: z.array(helmReleaseSchema).default([]),
      leftovers: leftoversSchema.optional(),
    })
    .default({
      coredns: { replicas: 2 },
      deployments: [],
      statefulsets: [],
      daemonsets: [],
      helmReleases: [],
    }),
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
