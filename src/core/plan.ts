/**
 * The plan is data: phases of steps for one route over one inventory, serializable and
 * printable before anything happens. Builders (cattle, pets, kubernetes) live beside this file;
 * the engine executes steps by their action.
 */
import type { Policy } from './policy.js';
import type { PlanSelection } from './selection-flags.js';

export const UPGRADE_KINDS = ['cattle', 'pets', 'kubernetes'] as const;
export type UpgradeKind = (typeof UPGRADE_KINDS)[number];

/**
 * Every action a step can take. Parameters per action (all in PlanStep.params):
 * - rebuild-template     { address, flavor, host, version }       build the new, then retire the old
 * - verify-templates     { addresses: string[], version }
 * - gate-etcd            { excluding?: node }  every other member answers healthy; quorum kept without this node
 * - gate-api-stable      { passes }            API server ready for N consecutive reads
 * - gate-health          { checks: string[] }  pre-drain gates: coredns, ceph, custom:<name>
 * - storage-noout-set    { domain }            Ceph noout while an OSD node is away
 * - storage-noout-unset  { domain }
 * - cordon / uncordon    {}
 * - drain                {}                    policy.drain applies
 * - backup-state         {}                    terraform state pulled, stored, read back, compared
 * - check-replace-plan   { addresses: string[] }  control plane: plan + scope check before etcd-leave
 * - etcd-leave           {}                    the node leaves etcd before its VM is destroyed
 * - replace-vm           { addresses: string[] }  plan -replace, scope check, apply
 * - wait-maintenance     { address }           fresh VM answers insecurely in maintenance mode
 * - apply-config         { address, patches: string[] }  machine config + patches, idempotent
 * - talos-upgrade        { image, version }    pets: in-place upgrade
 * - wait-ready           {}                    node Ready (cordoned is still Ready)
 * - verify-version       { talos, kubelet? }   node reports the target versions
 * - wait-etcd-rejoin     { expectedMembers }   replacement member healthy, member count back
 * - wait-gpu             {}                    GPU label present and allocatable GPUs >= 1
 * - post-checks          { checks: string[] }  deployments available, Ceph healthy
 * - k8s-upgrade          { to, dryRun }        talosctl upgrade-k8s, one hop
 * - validate-cluster     { talos, kubernetes? , expectedNodes: string[], targetNodes?: string[] }
 *                                             targetNodes: a selected run checks only these at the target
 */
export const STEP_ACTIONS = [
  'rebuild-template',
  'verify-templates',
  'gate-etcd',
  'gate-api-stable',
  'gate-health',
  'storage-noout-set',
  'storage-noout-unset',
  'cordon',
  'drain',
  'backup-state',
  'check-replace-plan',
  'etcd-leave',
  'replace-vm',
  'wait-maintenance',
  'apply-config',
  'talos-upgrade',
  'wait-ready',
  'verify-version',
  'wait-etcd-rejoin',
  'wait-gpu',
  'uncordon',
  'post-checks',
  'k8s-upgrade',
  'validate-cluster',
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

export type StepParamValue = string | number | boolean | string[];

export interface PlanStep {
  /** Unique within the plan and stable across rebuilds of the same plan: `<node>/<action>` or `cluster/<action>[/<n>]`. */
  id: string;
  action: StepAction;
  /** Node the step acts on; absent for cluster-wide steps. */
  node?: string;
  params: Record<string, StepParamValue>;
  /** One-line human description. */
  title: string;
}

/** One node's cycle: its steps run in order; a failure stops the unit and the run. */
export interface NodeUnit {
  node: string;
  steps: PlanStep[];
}

export const PHASE_IDS = [
  'templates',
  'control-plane',
  'workers',
  'kubernetes',
  'validation',
] as const;
export type PhaseId = (typeof PHASE_IDS)[number];

export const UNIT_CONCURRENCY = ['one-at-a-time', 'disruption-policy'] as const;
export type UnitConcurrency = (typeof UNIT_CONCURRENCY)[number];

export interface PlanPhase {
  id: PhaseId;
  title: string;
  /** Cluster-level steps, run in order before the phase's units. */
  steps: PlanStep[];
  units: NodeUnit[];
  /** How units run: strictly one at a time, or as many as the disruption policy allows. */
  concurrency: UnitConcurrency;
  /** In a multi-hop plan: the version this phase moves to (plan-hops.ts). */
  hop?: string;
}

export interface Plan {
  schemaVersion: 1;
  kind: UpgradeKind;
  cluster: string;
  from: string;
  to: string;
  /** Version hops for multi-hop routes (the last one is `to`). */
  hops: string[];
  phases: PlanPhase[];
  policy: Policy;
  /** Present when the run carries out only part of the upgrade (core/selection.ts). */
  selection?: PlanSelection;
}

export function allSteps(plan: Plan): PlanStep[] {
  return plan.phases.flatMap((p) => [...p.steps, ...p.units.flatMap((u) => u.steps)]);
}
