/**
 * A cluster as it looks after months of use, and pods that crash-loop:
 * - CronJob history and bare pods that ran to completion (phase Succeeded), pods the kubelet
 *   evicted under memory pressure (phase Failed, reason Evicted): history that a drain deletes
 *   and no check may count;
 * - crash-looping pods: phase Running with Ready=False and a container waiting in
 *   CrashLoopBackOff (kubelet pkg/kubelet/kuberuntime, status as `kubectl get pod -o yaml` shows
 *   it), for good (a Job's pod, `leftovers.crashLoopingJobs`) or while a `workload-crashloop`
 *   fault lasts (a Deployment's or StatefulSet's pods: its availability drops, no phase changes).
 */
import { iso, type KubeObject, type KubeStore } from '../kube/store.js';
import { podPhase } from '../kube/pods.js';
import { R } from './objects.js';
import { controller, generatedPodName } from './pod-helpers.js';
import type { World } from './world.js';

type OwnerRef = NonNullable<KubeObject['metadata']['ownerReferences']>[number];

export const CRASHLOOP_ANNOTATION = 'simulated.drover.dev/crashloop';

type Leftovers = NonNullable<World['context']['scenario']['workloads']['leftovers']>;

export function leftoverNamespaces(leftovers: Leftovers | undefined): string[] {
  if (!leftovers) return [];
  return [...leftovers.cronJobs, ...leftovers.crashLoopingJobs].map((x) => x.namespace);
}

function jobRef(world: World, name: string): OwnerRef {
  return { apiVersion: 'batch/v1', kind: 'Job', name, uid: uid(world), controller: true };
}

function uid(world: World): string {
  const h = world.rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function conditions(at: string, ready: boolean, reason?: string) {
  return [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
    { type: 'Initialized', status: 'True', lastTransitionTime: at },
    {
      type: 'ContainersReady',
      status: ready ? 'True' : 'False',
      lastTransitionTime: at,
      ...(reason ? { reason } : {}),
    },
    {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      lastTransitionTime: at,
      ...(reason ? { reason } : {}),
    },
  ];
}

function pod(
  namespace: string,
  name: string,
  node: string,
  owner: OwnerRef | undefined,
  status: Record<string, unknown>,
  extra: { restartPolicy?: string; annotations?: Record<string, string> } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { app: name.replace(/-[a-z0-9]{5}$/, '') },
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ...(owner ? { ownerReferences: [owner] } : {}),
    },
    spec: {
      nodeName: node,
      restartPolicy: extra.restartPolicy ?? 'Never',
      schedulerName: 'default-scheduler',
      containers: [{ name: 'main', image: 'registry.example/tool:1' }],
    },
    status,
  };
}

/** Creates the scenario's leftovers on the workers, round robin (at rest, after seeding). */
export function seedLeftovers(world: World): void {
  const leftovers = world.context.scenario.workloads.leftovers;
  if (!leftovers) return;
  const store: KubeStore = world.store;
  const workers = world.context.inventory.nodes.filter((n) => n.role === 'worker');
  const hosts = workers.length > 0 ? workers : world.context.inventory.nodes;
  let next = 0;
  const node = () => hosts[next++ % hosts.length]?.name ?? '';
  const at = iso(world.now - 3_600_000);
  const finished = (): Record<string, unknown> => ({
    phase: 'Succeeded',
    startTime: at,
    conditions: conditions(at, false, 'PodCompleted'),
    containerStatuses: [
      {
        name: 'main',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } },
      },
    ],
  });
  for (const cj of leftovers.cronJobs)
    for (let i = 0; i < cj.history; i++) {
      const job = `${cj.name}-${29_400_000 + i * 60}`;
      store.create(
        R.pods,
        pod(
          cj.namespace,
          generatedPodName(world, cj.namespace, job),
          node(),
          jobRef(world, job),
          finished(),
        ),
      );
    }
  for (let i = 0; i < leftovers.finishedBarePods; i++)
    store.create(
      R.pods,
      pod(
        'default',
        generatedPodName(world, 'default', 'debug-shell'),
        node(),
        undefined,
        finished(),
      ),
    );
  const rs = store.listView(R.replicasets)[0];
  for (let i = 0; rs && i < leftovers.evictedPods; i++) {
    const ns = rs.metadata.namespace ?? 'default';
    store.create(
      R.pods,
      pod(
        ns,
        generatedPodName(world, ns, rs.metadata.name),
        node(),
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid,
          controller: true,
        },
        {
          phase: 'Failed',
          reason: 'Evicted',
          message:
            'The node was low on resource: memory. Threshold quantity: 100Mi, available: 92Mi. ',
          startTime: at,
          conditions: [
            ...conditions(at, false, 'PodFailed'),
            {
              type: 'DisruptionTarget',
              status: 'True',
              reason: 'TerminationByKubelet',
              lastTransitionTime: at,
            },
          ],
        },
        { restartPolicy: 'Always' },
      ),
    );
  }
  for (const job of leftovers.crashLoopingJobs) {
    const created = store.create(
      R.pods,
      pod(
        job.namespace,
        generatedPodName(world, job.namespace, job.name),
        node(),
        jobRef(world, job.name),
        { phase: 'Pending', conditions: [] },
        { restartPolicy: 'OnFailure', annotations: { [CRASHLOOP_ANNOTATION]: 'true' } },
      ),
    );
    setCrashLoop(world, created);
  }
}

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
      conditions: conditions(at, false, 'ContainersNotReady'),
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
