/**
 * Drain over the Kubernetes port's primitives (invariant drain-honours-pdbs):
 * 1. list the node's pods; DaemonSet and mirror pods stay (they belong to the node); finished
 *    pods (Succeeded, Failed) go without a policy question: the API deletes them at once;
 * 2. refuse up front, evicting nothing, when an unmanaged or emptyDir pod is not allowed by policy;
 * 3. evict every pod through the Eviction API; a PDB refusal is "blocked": back off and retry
 *    until the graceful window passes;
 * 4. past the window, delete what is still blocked only where policy.drain.forceAfterGrace allows;
 * 5. wait until every evicted or deleted pod is gone.
 * This file decides what may go (steps 1-2); drain-eviction.ts acts (steps 3-5).
 */
import { DroverError } from '../core/errors.js';
import type { DrainPolicy } from '../core/policy.js';
import type { PodView } from '../ports/kubernetes.js';
import type { StepContext } from './context.js';
import { awaitPodsGone, evictWithinGrace, forceBlocked, podName } from './drain-eviction.js';

export interface DrainResult {
  evicted: string[];
  forced: string[];
  /** DaemonSet and mirror pods, left alone. */
  left: string[];
}

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

/** Refused before anything is evicted: the policy does not allow these pods to go. */
function refuseForbiddenPods(nodeName: string, pods: PodView[], policy: DrainPolicy): void {
  const refused = refusedPods(pods, policy);
  if (refused.unmanaged.length === 0 && refused.emptyDir.length === 0) return;
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

export async function drainNode(ctx: StepContext, nodeName: string): Promise<DrainResult> {
  const kubernetes = ctx.run.kubernetes.nodes;
  const pods = await ctx.call('kubernetes.listPodsOnNode', { node: nodeName }, () =>
    kubernetes.listPodsOnNode(nodeName),
  );
  refuseForbiddenPods(nodeName, pods, ctx.run.policy.drain);
  const left = pods.filter(isNodeBound);
  const targets = pods.filter((p) => !isNodeBound(p));
  // Pods already terminating are not evicted again, only waited for.
  const alreadyGoing = targets.filter((p) => p.deleting);
  const round = await evictWithinGrace(
    ctx,
    targets.filter((p) => !p.deleting),
  );
  const forced = await forceBlocked(ctx, nodeName, round);
  const gone = [...round.evicted, ...forced, ...alreadyGoing];
  if (gone.length > 0) await awaitPodsGone(ctx, nodeName, gone);
  return {
    evicted: round.evicted.map(podName),
    forced: forced.map(podName),
    left: left.map(podName),
  };
}
