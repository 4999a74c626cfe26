/**
 * The acting half of a drain (drain.ts decides what may go): evict within the graceful window,
 * force what a PodDisruptionBudget still holds only where policy allows, then wait until every
 * pod that was sent away is gone (invariant drain-honours-pdbs).
 */
import { DroverError } from '../core/errors.js';
import type { PodRef, PodView } from '../ports/kubernetes.js';
import type { StepContext } from './context.js';
import { preActCheck } from './pre-act-check.js';
import { nextBackoffMs, pause } from './retry.js';

export const podName = (p: PodRef): string => `${p.namespace}/${p.name}`;

export interface EvictionRound {
  evicted: PodView[];
  /** Still refused by a disruption budget when the graceful window ended. */
  blocked: PodView[];
  /** The API's last refusal reason, for the report. */
  lastReason: string;
}

/**
 * Evicts every pod through the Eviction API; a refusal is "blocked": back off (at least as long as
 * the API's Retry-After) and retry until the graceful window passes.
 */
export async function evictWithinGrace(ctx: StepContext, pods: PodView[]): Promise<EvictionRound> {
  const kubernetes = ctx.run.kubernetes.nodes;
  const { clock } = ctx.run.ports;
  const graceEnds = clock.now() + ctx.run.policy.drain.gracefulSeconds * 1000;
  const evicted: PodView[] = [];
  let pending = pods;
  let delayMs = ctx.run.policy.retry.initialBackoffSeconds * 1000;
  let lastReason = '';
  while (pending.length > 0) {
    const stillBlocked: PodView[] = [];
    let retryAfterMs = 0;
    for (const pod of pending) {
      const result = await ctx.call('kubernetes.evictPod', { pod: podName(pod) }, () =>
        kubernetes.evictPod(pod),
      );
      if (result.outcome === 'evicted') evicted.push(pod);
      else if (result.outcome === 'blocked') {
        stillBlocked.push(pod);
        lastReason = result.reason ?? 'disruption budget';
        retryAfterMs = Math.max(retryAfterMs, (result.retryAfterSeconds ?? 0) * 1000);
      }
    }
    pending = stillBlocked;
    const now = clock.now();
    if (pending.length === 0 || now >= graceEnds) break;
    ctx.run.ports.reporter.event({
      type: 'gate-waiting',
      at: now,
      stepId: ctx.step.id,
      reason: `eviction of ${pending.map(podName).join(', ')} blocked: ${lastReason}`,
    });
    await pause(clock, Math.min(Math.max(delayMs, retryAfterMs), graceEnds - now), ctx.run.signal);
    delayMs = nextBackoffMs(delayMs, ctx.run.policy.retry);
  }
  return { evicted, blocked: pending, lastReason };
}

/**
 * Past the window: DRAIN_BLOCKED unless policy.drain.forceAfterGrace, else deletes what is still
 * blocked, re-proving the run may act first (a forced deletion skips the budget).
 */
export async function forceBlocked(
  ctx: StepContext,
  nodeName: string,
  round: EvictionRound,
): Promise<PodView[]> {
  const { blocked, lastReason } = round;
  const policy = ctx.run.policy.drain;
  if (blocked.length === 0) return [];
  if (!policy.forceAfterGrace) {
    throw new DroverError(
      'failed',
      'DRAIN_BLOCKED',
      `evicting ${blocked.map(podName).join(', ')} from ${nodeName} was refused for ${policy.gracefulSeconds}s: ${lastReason}`,
      {
        hint: 'A PodDisruptionBudget does not allow the eviction. Fix the workload, or allow policy.drain.forceAfterGrace.',
        details: { blocked: blocked.map(podName) },
      },
    );
  }
  await preActCheck(ctx, 'forced pod deletion');
  const forced: PodView[] = [];
  for (const pod of blocked) {
    await ctx.call('kubernetes.deletePod', { pod: podName(pod), force: true }, () =>
      ctx.run.kubernetes.nodes.deletePod(pod),
    );
    forced.push(pod);
  }
  ctx.run.log(
    'warn',
    `forced ${forced.length} pod(s) off ${nodeName} after the graceful window: ${forced.map(podName).join(', ')}`,
    nodeName,
  );
  return forced;
}

/** Until every pod sent away is gone; DRAIN_PODS_STUCK after the termination timeout. */
export async function awaitPodsGone(
  ctx: StepContext,
  nodeName: string,
  gone: PodView[],
): Promise<void> {
  const policy = ctx.run.policy.drain;
  try {
    await ctx.call('kubernetes.waitForPodsGone', { pods: gone.length }, () =>
      ctx.run.kubernetes.nodes.waitForPodsGone(gone, {
        timeoutMs: policy.podTerminationTimeoutSeconds * 1000,
        ...(ctx.run.signal ? { signal: ctx.run.signal } : {}),
      }),
    );
  } catch (error) {
    if (ctx.run.signal?.aborted) throw error;
    throw new DroverError(
      'failed',
      'DRAIN_PODS_STUCK',
      `pods on ${nodeName} did not terminate in ${policy.podTerminationTimeoutSeconds}s`,
      {
        cause: error,
        hint: 'Look for finalizers or a stuck kubelet on the node.',
      },
    );
  }
}
