/**
 * The upgrade job's `timeout-minutes`: the plan's upper bound (core/upper-bound.ts, the same
 * figure `drover plan --json` prints as upperBoundSeconds) in whole minutes. A job that
 * outlives it is stuck, not slow. GitHub stops a self-hosted job after 5 days whatever the
 * setting.
 */
import type { Plan } from '../../core/plan.js';
import { planUpperBoundSeconds, type UpperBoundOptions } from '../../core/upper-bound.js';

const GITHUB_SELF_HOSTED_LIMIT_MINUTES = 5 * 24 * 60;

/** The bound in minutes, rounded up, at least 30, within GitHub's limit. */
export function jobTimeoutMinutes(plan: Plan, options: UpperBoundOptions = {}): number {
  return Math.min(
    GITHUB_SELF_HOSTED_LIMIT_MINUTES,
    Math.max(30, Math.ceil(planUpperBoundSeconds(plan, options) / 60)),
  );
}
