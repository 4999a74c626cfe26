/**
 * A cluster as it looks after months of use: CronJob history and bare pods that ran to
 * completion (phase Succeeded), pods the kubelet evicted under memory pressure (phase Failed,
 * reason Evicted): history that a drain deletes and no check may count; and Jobs whose pod
 * crash-loops for good (crash-loop.ts).
 */
import { iso, type KubeObject } from '../kube/store.js';
import { CRASHLOOP_ANNOTATION, setCrashLoop } from './crash-loop.js';
import { R } from './objects.js';
import { generatedPodName, podConditions } from './pod-helpers.js';
import type { World } from './world.js';

type OwnerRef = NonNullable<KubeObject['metadata']['ownerReferences']>[number];

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

/** Where and when the leftovers were left: on the workers round robin, an hour ago. */
interface LeftoverSite {
  world: World;
  node: () => string;
  at: string;
}

/** Creates the scenario's leftovers on the workers, round robin (at rest, after seeding). */
export function seedLeftovers(world: World): void {
  const leftovers = world.context.scenario.workloads.leftovers;
  if (!leftovers) return;
  const workers = world.context.inventory.nodes.filter((n) => n.role === 'worker');
  const hosts = workers.length > 0 ? workers : world.context.inventory.nodes;
  let next = 0;
  const node = () => hosts[next++ % hosts.length]?.name ?? '';
  const site: LeftoverSite = { world, node, at: iso(world.now - 3_600_000) };
  seedFinishedPods(site, leftovers);
  seedEvictedPods(site, leftovers.evictedPods);
  seedCrashLoopingJobs(site, leftovers.crashLoopingJobs);
}

/** CronJob history (each CronJob's last Job pods) and bare pods, all run to completion. */
function seedFinishedPods({ world, node, at }: LeftoverSite, leftovers: Leftovers): void {
  const store = world.store;
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
          finishedStatus(at),
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
        finishedStatus(at),
      ),
    );
}

function finishedStatus(at: string): Record<string, unknown> {
  return {
    phase: 'Succeeded',
    startTime: at,
    conditions: podConditions(at, false, 'PodCompleted'),
    containerStatuses: [
      {
        name: 'main',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } },
      },
    ],
  };
}

/** Pods the kubelet evicted under memory pressure, left by the first ReplicaSet. */
function seedEvictedPods({ world, node, at }: LeftoverSite, count: number): void {
  const store = world.store;
  const rs = store.listView(R.replicasets)[0];
  for (let i = 0; rs && i < count; i++) {
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
            ...podConditions(at, false, 'PodFailed'),
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
}

/** Jobs whose pod crash-loops for good. */
function seedCrashLoopingJobs(
  { world, node }: LeftoverSite,
  jobs: Leftovers['crashLoopingJobs'],
): void {
  const store = world.store;
  for (const job of jobs) {
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
