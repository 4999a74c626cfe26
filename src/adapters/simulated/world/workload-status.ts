/** Workload status as the controllers write it (observedGeneration, ready and available counts). */
import type { KubeObject } from '../kube/store.js';
import { R } from './objects.js';
import type { World } from './world.js';

export function reconcileWorkloadStatus(world: World): void {
  const store = world.store;
  const replicaSetsOf = (owner: KubeObject) =>
    store
      .listView(R.replicasets, owner.metadata.namespace)
      .filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid));
  // Unfinished pods and ready ones (not being deleted), kept counted by the pod index: every
  // workload's status costs the same whatever the cluster's size.
  const readyOf = (owners: readonly KubeObject[]) =>
    owners.reduce(
      (sum, o) => {
        const counts = world.pods.countsOf(o.metadata.uid);
        return { all: sum.all + counts.all, ready: sum.ready + counts.ready };
      },
      { all: 0, ready: 0 },
    );
  const write = (resource: string, obj: KubeObject, status: Record<string, unknown>) => {
    if (JSON.stringify(obj.status ?? {}) === JSON.stringify(status)) return;
    store.update(resource, { ...obj, status });
  };
  for (const d of store.listView(R.deployments)) {
    const replicaSets = replicaSetsOf(d);
    const { all, ready } = readyOf(replicaSets);
    const replicas = Number(d.spec?.replicas ?? 0);
    write(R.deployments, d, {
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
    });
  }
  for (const s of store.listView(R.statefulsets)) {
    const { all, ready } = readyOf([s]);
    write(R.statefulsets, s, {
      observedGeneration: s.metadata.generation ?? 1,
      replicas: all,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: all,
      updatedReplicas: all,
    });
  }
  for (const ds of store.listView(R.daemonsets)) {
    const { all, ready } = readyOf([ds]);
    write(R.daemonsets, ds, {
      observedGeneration: ds.metadata.generation ?? 1,
      desiredNumberScheduled: all,
      currentNumberScheduled: all,
      updatedNumberScheduled: all,
      numberReady: ready,
      numberAvailable: ready,
      numberMisscheduled: 0,
      ...(all - ready > 0 ? { numberUnavailable: all - ready } : {}),
    });
  }
}
