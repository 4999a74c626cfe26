/** Workload status as the controllers write it (observedGeneration, ready and available counts). */
import type { KubeObject } from '../kube/store.js';
import type { OwnedCounts } from './pod-index.js';
import { R } from './objects.js';
import type { World } from './world.js';

export function reconcileWorkloadStatus(world: World): void {
  const store = world.store;
  for (const d of store.listView(R.deployments))
    writeStatus(
      world,
      R.deployments,
      d,
      deploymentStatus(d, countsOf(world, replicaSetsOf(world, d))),
    );
  for (const s of store.listView(R.statefulsets))
    writeStatus(world, R.statefulsets, s, statefulSetStatus(s, countsOf(world, [s])));
  for (const ds of store.listView(R.daemonsets))
    writeStatus(world, R.daemonsets, ds, daemonSetStatus(ds, countsOf(world, [ds])));
}

function replicaSetsOf(world: World, owner: KubeObject): KubeObject[] {
  return world.store
    .listView(R.replicasets, owner.metadata.namespace)
    .filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid));
}

/**
 * Unfinished pods and ready ones (not being deleted), kept counted by the pod index: every
 * workload's status costs the same whatever the cluster's size.
 */
function countsOf(world: World, owners: readonly KubeObject[]): OwnedCounts {
  return owners.reduce(
    (sum, o) => {
      const counts = world.pods.countsOf(o.metadata.uid);
      return { all: sum.all + counts.all, ready: sum.ready + counts.ready };
    },
    { all: 0, ready: 0 },
  );
}

/** Writes `status` only when it differs: any update is a new resourceVersion and an event. */
function writeStatus(
  world: World,
  resource: string,
  obj: KubeObject,
  status: Record<string, unknown>,
): void {
  if (JSON.stringify(obj.status ?? {}) === JSON.stringify(status)) return;
  world.store.update(resource, { ...obj, status });
}

function deploymentStatus(d: KubeObject, { all, ready }: OwnedCounts): Record<string, unknown> {
  const replicas = Number(d.spec?.replicas ?? 0);
  return {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: all,
    updatedReplicas: all,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(ready < replicas ? { unavailableReplicas: replicas - ready } : {}),
    conditions: [
      {
        type: 'Available',
        status: ready >= replicas ? 'True' : 'False',
        reason: ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
      },
    ],
  };
}

function statefulSetStatus(s: KubeObject, { all, ready }: OwnedCounts): Record<string, unknown> {
  return {
    observedGeneration: s.metadata.generation ?? 1,
    replicas: all,
    readyReplicas: ready,
    availableReplicas: ready,
    currentReplicas: all,
    updatedReplicas: all,
  };
}

function daemonSetStatus(ds: KubeObject, { all, ready }: OwnedCounts): Record<string, unknown> {
  return {
    observedGeneration: ds.metadata.generation ?? 1,
    desiredNumberScheduled: all,
    currentNumberScheduled: all,
    updatedNumberScheduled: all,
    numberReady: ready,
    numberAvailable: ready,
    numberMisscheduled: 0,
    ...(all - ready > 0 ? { numberUnavailable: all - ready } : {}),
  };
}
