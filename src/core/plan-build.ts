/**
 * One entry point for the three plan builders, and the readable listing `drover plan` prints
 * without --json.
 */
import type { Inventory } from './inventory.js';
import type { Plan, PlanPhase, PlanStep, StepParamValue, UpgradeKind } from './plan.js';
import { buildCattlePlan } from './plan-cattle.js';
import { checkPlan } from './plan-check.js';
import { buildKubernetesPlan } from './plan-kubernetes.js';
import { buildPetsPlan } from './plan-pets.js';
import type { Policy } from './policy.js';
import { disruptionFor } from './schedule.js';
import { selectionSummary } from './selection-notes.js';

export interface PlanInput {
  inventory: Inventory;
  policy: Policy;
  /** Talos versions (for kind kubernetes: the cluster's Talos version, unchanged). */
  from: string;
  to: string;
  /** Hops of a multi-hop route, ending at the target (Talos; Kubernetes hops for kind kubernetes). */
  hops?: string[];
  /** Current and target Kubernetes versions: required for kind kubernetes; otherwise the
   * version kubelets must report (to) after a Talos upgrade. */
  kubernetes?: { from: string; to: string };
  /** Custom pre-drain gates by name (checked as `custom:<name>`), after CoreDNS and Ceph. */
  customChecks?: string[];
}

/** The plan of `kind`, checked as any plan is (plan-check.ts): what `plan --json` prints runs. */
export function buildPlan(kind: UpgradeKind, input: PlanInput): Plan {
  return checkPlan(buildPlanOf(kind, input));
}

function buildPlanOf(kind: UpgradeKind, input: PlanInput): Plan {
  switch (kind) {
    case 'cattle':
      return buildCattlePlan(input);
    case 'pets':
      return buildPetsPlan(input);
    case 'kubernetes':
      return buildKubernetesPlan(input);
  }
}

function formatValue(value: StepParamValue): string {
  return Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
}

function formatStep(step: PlanStep, indent: string): string {
  const params = Object.entries(step.params)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
  return `${indent}- ${step.title}${params === '' ? '' : `  [${params}]`}`;
}

function phaseHeader(plan: Plan, phase: PlanPhase, index: number): string {
  const units = phase.units.length;
  const d = plan.policy.disruption;
  let how = '';
  if (phase.id === 'templates') how = ` (${d.templateRebuildConcurrency} at a time)`;
  else if (units > 0 && phase.concurrency === 'one-at-a-time') how = ` (${units} nodes)`;
  else if (units > 0) {
    // The effective budget: for pets the batch size caps the workers at once.
    const budget = disruptionFor(plan.kind, plan.policy);
    how = ` (${units} nodes; at most ${budget.maxUnavailableWorkers} out of service across at most ${budget.maxUnavailableDomains} failure domain(s))`;
  }
  return `${index + 1}. ${phase.title}${how}`;
}

export function planToText(plan: Plan): string {
  const lines: string[] = [];
  const what = plan.kind === 'kubernetes' ? 'Kubernetes' : 'Talos';
  lines.push(`${plan.kind} upgrade of cluster ${plan.cluster}: ${what} ${plan.from} -> ${plan.to}`);
  if (plan.hops.length > 1) lines.push(`hops: ${plan.hops.join(' -> ')}`);
  const selected = selectionSummary(plan);
  if (selected !== undefined) lines.push(selected);
  plan.phases.forEach((phase, index) => {
    lines.push('', phaseHeader(plan, phase, index));
    for (const step of phase.steps) lines.push(formatStep(step, '   '));
    for (const unit of phase.units) {
      lines.push(`   ${unit.node}`);
      for (const step of unit.steps) lines.push(formatStep(step, '     '));
    }
    if (phase.steps.length === 0 && phase.units.length === 0) lines.push('   (nothing to do)');
  });
  return `${lines.join('\n')}\n`;
}
