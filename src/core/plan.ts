/**
 * The plan is data: phases of steps for one route over one inventory, serializable and
 * printable before anything happens. Builders (cattle, pets, kubernetes) live beside this file;
 * the engine executes steps by their action.
 */
import type { Policy } from './policy.js';
import type { PlanSelection } from './selection-flags.js';
import type { PlanStep } from './plan-step.js';

export const UPGRADE_KINDS = ['cattle', 'pets', 'kubernetes'] as const;
export type UpgradeKind = (typeof UPGRADE_KINDS)[number];

/**
 * Every action a step can take. The parameters of each (PlanStep.params) are written once, as
 * a schema, in plan-step.ts: a step is a union on its action.
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

export type { PlanStep, StepOf, StepParams } from './plan-step.js';

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
