/**
 * Drain over the Kubernetes port's primitives (invariant drain-honours-pdbs):
 * 1. list the node's pods; DaemonSet and mirror pods stay (they belong to the node); finished
 *    pods (Succeeded, Failed) go without a policy question: the API deletes them at once;
 * 2. refuse up front, evicting nothing, when an unmanaged or emptyDir pod is not allowed by policy;
 * 3. evict every pod through the Eviction API; a PDB refusal is "blocked": back off and retry
 *    until the graceful window passes;
 * 4. past the window, delete what is still blocked only where policy.drain.forceAfterGrace allows;
 * 5. wait until every evicted or deleted pod is gone.
 */
import { DroverError } from '../core/errors.js';
import type { DrainPolicy } from '../core/policy.js';
import type { PodRef, PodView } from '../ports/kubernetes.js';
import type { StepContext } from './context.js';
import { preActCheck } from './pre-act-check.js';
import { pause } from './retry.js';

export interface DrainResult {
  evicted: string[];
  forced: string[];
  /** DaemonSet and mirror pods, left alone. */
  left: string[];
}

const podName = (p: PodRef): string => `${p.namespace}/${p.name}`;

/** Succeeded or Failed (CronJob history, evicted pods): history, never a reason to stop. */
export function isFinished(pod: PodView): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

/**
 * Pods that belong to the node and stay. As kubectl drain (pkg/drain/filters.go): mirror pods
 * always; DaemonSet pods unless finished (a finished one is deleted like any finished pod).
 */
export function isNodeBound(pod: PodView): boolean {
  if (pod.mirror || pod.controllerKind === 'Node') return true;
  return pod.controllerKind === 'DaemonSet' && !isFinished(pod);
}

/**
 * Pods the policy forbids touching; the drain refuses before it evicts anything. Finished pods
 * never count: kubectl drain's unreplicated and local-storage filters pass them, and eviction
 * deletes them without a PDB check (eviction.go canIgnorePDB).
 */
export function refusedPods(
  pods: PodView[],
  policy: DrainPolicy,
): { unmanaged: string[]; emptyDir: string[] } {
  const candidates = pods.filter((p) => !isNodeBound(p) && !p.deleting && !isFinished(p));
  return {
    unmanaged: candidates
      .filter((p) => p.controllerKind === undefined && !policy.deleteUnmanagedPods)
      .map(podName),
    emptyDir: candidates.filter((p) => p.usesEmptyDir && !policy.deleteEmptyDirData).map(podName),
  };
}

export async function drainNode(ctx: StepContext, nodeName: string): Promise<DrainResult> {
  const kubernetes = ctx.run.kubernetes.nodes;
  const { clock } = ctx.run.ports;
  const policy = ctx.run.policy.drain;
  const pods = await ctx.call('kubernetes.listPodsOnNode', { node: nodeName }, () =>
    kubernetes.listPodsOnNode(nodeName),
  );
  const left = pods.filter(isNodeBound);
  const targets = pods.filter((p) => !isNodeBound(p));
  const refused = refusedPods(pods, policy);
  if (refused.unmanaged.length > 0 || refused.emptyDir.length > 0) {
    const parts = [
      ...(refused.unmanaged.length > 0
        ? [`pods without a controller: ${refused.unmanaged.join(', ')}`]
        : []),
      ...(refused.emptyDir.length > 0
        ? [`pods with emptyDir data: ${refused.emptyDir.join(', ')}`]
        : []),
    ];
    throw new DroverError(
      'refused',
      'DRAIN_REFUSED',
      `cannot drain ${nodeName}: ${parts.join('; ')}`,
      {
        hint: 'Nothing was evicted. Move those pods, or allow it with policy.drain.deleteUnmanagedPods / deleteEmptyDirData.',
        details: refused,
      },
    );
  }

  const graceEnds = clock.now() + policy.gracefulSeconds * 1000;
  const evicted: PodView[] = [];
  let pending = targets.filter((p) => !p.deleting);
  const alreadyGoing = targets.filter((p) => p.deleting);
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
    delayMs = Math.min(delayMs * 2, ctx.run.policy.retry.maxBackoffSeconds * 1000);
  }

  const forced: PodView[] = [];
  if (pending.length > 0) {
    if (!policy.forceAfterGrace) {
      throw new DroverError(
        'failed',
        'DRAIN_BLOCKED',
        `evicting ${pending.map(podName).join(', ')} from ${nodeName} was refused for ${policy.gracefulSeconds}s: ${lastReason}`,
        {
          hint: 'A PodDisruptionBudget does not allow the eviction. Fix the workload, or allow policy.drain.forceAfterGrace.',
          details: { blocked: pending.map(podName) },
        },
      );
    }
    await preActCheck(ctx, 'forced pod deletion');
    for (const pod of pending) {
      await ctx.call('kubernetes.deletePod', { pod: podName(pod), force: true }, () =>
        kubernetes.deletePod(pod),
      );
      forced.push(pod);
    }
    ctx.run.log(
      'warn',
      `forced ${forced.length} pod(s) off ${nodeName} after the graceful window: ${forced.map(podName).join(', ')}`,
      nodeName,
    );
  }

  const gone = [...evicted, ...forced, ...alreadyGoing];
  if (gone.length > 0) {
    try {
      await ctx.call('kubernetes.waitForPodsGone', { pods: gone.length }, () =>
        kubernetes.waitForPodsGone(gone, {
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
  return { evicted: evicted.map(podName), forced: forced.map(podName), left: left.map(podName) };
}
