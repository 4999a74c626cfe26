/**
 * A VM replacement is the step a node's cycle does not step back from: the node is cordoned and
 * drained, and a control plane node has already left etcd. A Terraform state lock that someone
 * else holds (a colleague's plan, a CI job) is then waited out, up to the gate deadline, rather
 * than stopping the run with the node half-done: for a control plane node that would leave etcd
 * a member short until someone resumes (chaos seed 173: a lock held for 69 s from just after the
 * plan check). This run's own stale lock is released where the plan is made
 * (state-lock-recovery.ts); what reaches here is another holder's. The wait is withRetry by
 * time (retry.ts): a new attempt every 15 s until the deadline, the last one possibly after it;
 * an abort ends it at once, as it ends the attempts inside it.
 */
import { isDroverError } from '../../core/errors.js';
import type { RunState } from '../context.js';
import { withRetry } from '../retry.js';

/** Between two looks at a lock someone else holds. */
const LOCK_POLL_SECONDS = 15;

export async function waitingOutForeignLocks<T>(
  run: RunState,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  const { clock } = run.ports;
  const seconds = run.policy.timeouts.gateSeconds;
  return withRetry(fn, {
    clock,
    ...(run.signal ? { signal: run.signal } : {}),
    budget: { untilMs: clock.now() + seconds * 1000, delayMs: LOCK_POLL_SECONDS * 1000 },
    retryable: (error) => isDroverError(error) && error.code === 'TF_STATE_LOCKED',
    onRetry: () =>
      run.log(
        'warn',
        `${what}: the Terraform state is locked by someone else; waiting for the lock (up to ${seconds}s in all)`,
      ),
  });
}
