/**
 * The upper bound of a run's duration: the worst case the policy allows, not an estimate.
 * Every step runs to its own deadline on every attempt the retry cap allows, with every
 * backoff in between; a step that re-proves its safety right before it acts (invariant recheck-before-act:
 * cordon, etcd leave, VM replacement, template rebuild, in-place upgrade) may first wait up to
 * the gate deadline for it; a unit may wait for the disruption budget first; steps run one
 * after the other, whatever the disruption policy would let overlap; plus the run's own
 * overhead (the Lease, `terraform init`, the cleanup of a stop). A run that outlives it is stuck, not slow: `drover init` sets the upgrade job's
 * `timeout-minutes` from it, and `drover plan --json` prints it.
 */
import type { Plan, StepAction } from './plan.js';
import type { Policy, RetryPolicy } from './policy.js';

/** Cordon and uncordon are one API call each; give each attempt a minute. */
const QUICK_STEP_SECONDS = 60;

/** Actions whose destructive call waits on the pre-act check (engine/step-context.ts PRE_ACT_OPERATIONS). */
const PRE_ACT_ACTIONS: ReadonlySet<StepAction> = new Set<StepAction>([
  'cordon',
  'etcd-leave',
  'replace-vm',
  'rebuild-template',
  'talos-upgrade',
]);

/** How long one attempt of the step may take: the policy's deadline for what it waits on. */
export function stepDeadlineSeconds(action: StepAction, policy: Policy): number {
  const t = policy.timeouts;
  switch (action) {
    case 'rebuild-template':
    case 'verify-templates':
    case 'backup-state':
    case 'check-replace-plan':
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

/** The sum of the backoffs between `retry.attempts` attempts (engine/retry.ts backoffMs). */
export function retryBackoffSeconds(retry: RetryPolicy): number {
  let total = 0;
  for (let attempt = 1; attempt < Math.max(1, retry.attempts); attempt++)
    total += Math.min(retry.initialBackoffSeconds * 2 ** (attempt - 1), retry.maxBackoffSeconds);
  return total;
}

/** One step's worst case: pre-act wait, every attempt at its deadline, every backoff. */
export function stepUpperBoundSeconds(action: StepAction, policy: Policy): number {
  const attempts = Math.max(1, policy.retry.attempts);
  const preAct = PRE_ACT_ACTIONS.has(action) ? policy.timeouts.gateSeconds : 0;
  return (
    preAct + attempts * stepDeadlineSeconds(action, policy) + retryBackoffSeconds(policy.retry)
  );
}

/**
 * Before a unit of a disruption-policy phase starts, the phase may wait up to the gate
 * deadline (plus one last backoff) for nodes out of service on their own
 * (engine/held-back-wait.ts).
 */
function unitStartWaitSeconds(policy: Policy): number {
  return policy.timeouts.gateSeconds + policy.retry.maxBackoffSeconds;
}

export interface UpperBoundOptions {
  /** The config's lock.ttlSeconds (default 300), for the wait on a dead holder's Lease. */
  lockTtlSeconds?: number;
}

const TERRAFORM_ACTIONS: ReadonlySet<StepAction> = new Set<StepAction>([
  'rebuild-template',
  'verify-templates',
  'backup-state',
  'check-replace-plan',
  'replace-vm',
]);

/**
 * Around the steps: taking the Lease may watch a dead holder's record for one TTL first;
 * `terraform init` runs once before the first Terraform command; a stop cleans up (puts nodes
 * back, unsets noout) within a gate deadline.
 */
export function runOverheadSeconds(plan: Plan, options: UpperBoundOptions = {}): number {
  const t = plan.policy.timeouts;
  const terraform = plan.phases.some(
    (p) =>
      p.steps.some((s) => TERRAFORM_ACTIONS.has(s.action)) ||
      p.units.some((u) => u.steps.some((s) => TERRAFORM_ACTIONS.has(s.action))),
  );
  return (options.lockTtlSeconds ?? 300) + (terraform ? t.terraformSeconds : 0) + t.gateSeconds;
}

export function planUpperBoundSeconds(plan: Plan, options: UpperBoundOptions = {}): number {
  let total = runOverheadSeconds(plan, options);
  for (const phase of plan.phases) {
    for (const step of phase.steps) total += stepUpperBoundSeconds(step.action, plan.policy);
    for (const unit of phase.units) {
      if (phase.concurrency === 'disruption-policy') total += unitStartWaitSeconds(plan.policy);
      for (const step of unit.steps) total += stepUpperBoundSeconds(step.action, plan.policy);
    }
  }
  return total;
}
