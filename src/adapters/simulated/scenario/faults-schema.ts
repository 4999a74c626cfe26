/** The `faults` section of a scenario: scripted faults, by type (docs/scenarios.md). */
import { z } from 'zod';
import { faultTiming, type Operation } from './fault-timing.js';
import { leaseHeldByDeadRunner, skewedRunner } from './faults-engine.js';
import { kubernetesFaultSchemas } from './faults-kubernetes.js';
import {
  etcdLeader,
  k8sRemovedApis,
  talosNeverBack,
  talosRollsBack,
  talosUpgradeDrops,
} from './faults-talos.js';
import { terraformFaultSchemas } from './faults-terraform.js';

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
export const faultSchema = z.discriminatedUnion('type', [
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
