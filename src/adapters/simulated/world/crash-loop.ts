/**
 * Pods that crash-loop: phase Running with Ready=False and a container waiting in
 * CrashLoopBackOff (kubelet pkg/kubelet/kuberuntime, status as `kubectl get pod -o yaml` shows
 * it), for good (a Job's pod, `leftovers.crashLoopingJobs`, lived-in.ts) or while a
 * `workload-crashloop` fault lasts (a Deployment's or StatefulSet's pods: its availability
 * drops, no phase changes).
 */
import { iso, type KubeObject } from '../kube/store.js';
import { podPhase } from '../kube/pods.js';
import { R } from './objects.js';
import { controller, podConditions } from './pod-helpers.js';
import type { World } from './world.js';

export const CRASHLOOP_ANNOTATION = 'simulated.drover.dev/crashloop';

/** The pod should be crash-looping now: for good, or under an active workload-crashloop fault. */
export function crashLooping(world: World, p: KubeObject): boolean {
  if (p.metadata.annotations?.[CRASHLOOP_ANNOTATION] === 'true') return true;
  const owner = controller(p);
  if (!owner) return false;
  let kind = owner.kind;
  let name = owner.name;
  if (kind === 'ReplicaSet') {
    const rs = world.store.getView(R.replicasets, p.metadata.namespace, owner.name);
    const top = rs?.metadata.ownerReferences?.find((r) => r.controller);
    if (!top) return false;
    kind = top.kind;
    name = top.name;
  }
  return world.context.scenario.faults.some(
    (f, i) =>
      f.type === 'workload-crashloop' &&
      world.state.faultActive[i] === true &&
      f.kind === kind &&
      f.name === name &&
      f.namespace === p.metadata.namespace,
  );
}

export function inCrashLoop(p: KubeObject): boolean {
  const statuses = p.status?.containerStatuses as
    { state?: { waiting?: { reason?: string } } }[] | undefined;
  return podPhase(p) === 'Running' && statuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff';
}

export function setCrashLoop(world: World, p: KubeObject): void {
  world.store.mutate(R.pods, p.metadata.namespace, p.metadata.name, (x) => {
    const at = iso(world.now);
    const container = (x.spec?.containers as { name?: string }[] | undefined)?.[0]?.name ?? 'main';
    x.status = {
      ...x.status,
      phase: 'Running',
      startTime: x.status?.startTime ?? at,
      conditions: podConditions(at, false, 'ContainersNotReady'),
      containerStatuses: [
        {
          name: container,
          ready: false,
          started: false,
          restartCount: 7,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off 5m0s restarting failed container=${container} pod=${x.metadata.name}_${x.metadata.namespace ?? ''}(${x.metadata.uid})`,
            },
          },
          lastState: {
            terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at },
          },
        },
      ],
    };
  });
}
