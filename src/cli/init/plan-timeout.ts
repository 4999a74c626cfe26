/**
 * An upper bound on how long a plan can run, for the upgrade job's `timeout-minutes`: every
 * step at its own deadline (the policy's timeouts; retries happen inside a step's deadline),
 * one after the other, whatever the disruption policy would let overlap. A job that outlives
 * it is stuck, not slow. GitHub stops a self-hosted job after 5 days whatever the setting.
 */
import type { Plan, StepAction } from '../../core/plan.js';
import type { Policy } from '../../core/policy.js';

const GITHUB_SELF_HOSTED_LIMIT_MINUTES = 5 * 24 * 60;
/** Cordon and uncordon are one API call each; give them a minute. */
const QUICK_STEP_SECONDS = 60;

export function stepDeadlineSeconds(action: StepAction, policy: Policy): number {
  const t = policy.timeouts;
  switch (action) {
    case 'rebuild-template':
    case 'verify-templates':
    case 'backup-state':
    case 'replace-vm':
      return t.terraformSeconds;
    case 'drain':
      return policy.drain.gracefulSeconds + policy.drain.podTerminationTimeoutSeconds;
    case 'wait-maintenance':
      return t.maintenanceModeSeconds;
    case 'talos-upgrade':
    case 'k8s-upgrade':
      return t.talosUpgradeSeconds;
    case 'wait-ready':
    case 'wait-gpu':
      return t.nodeReadySeconds;
    case 'wait-etcd-rejoin':
      return t.etcdRejoinSeconds;
    case 'cordon':
    case 'uncordon':
      return QUICK_STEP_SECONDS;
    default:
      return t.gateSeconds;
  }
}

export function planUpperBoundSeconds(plan: Plan): number {
  let total = 0;
  for (const phase of plan.phases) {
    for (const step of phase.steps) total += stepDeadlineSeconds(step.action, plan.policy);
    for (const unit of phase.units)
      for (const step of unit.steps) total += stepDeadlineSeconds(step.action, plan.policy);
  }
  return total;
}

/** The job timeout: the bound in minutes, rounded up, within GitHub's limit. */
export function jobTimeoutMinutes(plan: Plan): number {
  return Math.min(
    GITHUB_SELF_HOSTED_LIMIT_MINUTES,
    Math.max(30, Math.ceil(planUpperBoundSeconds(plan) / 60)),
  );
}
