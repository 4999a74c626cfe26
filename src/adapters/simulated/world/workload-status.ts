/** Workload status as the controllers write it (observedGeneration, ready and available counts). */
import { podReady } from '../kube/pods.js';
import type { KubeObject } from '../kube/store.js';
import { R } from './objects.js';
import { finished } from './pod-helpers.js';
import type { World } from './world.js';

export function reconcileWorkloadStatus(world: World): void {
  const store = world.store;
  const { changes } = world;
  // Only workloads whose pods (or themselves) changed can need a new status.
  const stale = (resource: string, obj: KubeObject, owners: readonly KubeObject[]) =>
    changes.full ||
    changes.objects.has(`${resource}|${obj.metadata.namespace ?? ''}/${obj.metadata.name}`) ||
    owners.some(
      (o) =>
        changes.owners.has(o.metadata.uid) ||
        changes.objects.has(`${R.replicasets}|${o.metadata.namespace ?? ''}/${o.metadata.name}`),
    );
  const replicaSetsOf = (owner: KubeObject) =>
    store
      .listView(R.replicasets, owner.metadata.namespace)
      .filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid));
  const readyOf = (owners: readonly KubeObject[]) => {
    const mine = owners
      .flatMap((o) => world.pods.ownedBy(o.metadata.uid))
      .filter((p) => !finished(p));
    return {
      all: mine.length,
      ready: mine.filter((p) => podReady(p) && !p.metadata.deletionTimestamp).length,
    };
  };
  const write = (resource: string, obj: KubeObject, status: Record<string, unknown>) => {
    if (JSON.stringify(obj.status ?? {}) === JSON.stringify(status)) return;
    store.update(resource, { ...obj, status });
  };
  for (const d of store.listView(R.deployments)) {
    const replicaSets = replicaSetsOf(d);
    if (!stale(R.deployments, d, replicaSets)) continue;
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
    if (!stale(R.statefulsets, s, [s])) continue;
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
    if (!stale(R.daemonsets, ds, [ds])) continue;
    const mine = world.pods.ownedBy(ds.metadata.uid).filter((p) => !finished(p));
    const ready = mine.filter((p) => podReady(p) && !p.metadata.deletionTimestamp).length;
    write(R.daemonsets, ds, {
      observedGeneration: ds.metadata.generation ?? 1,
      desiredNumberScheduled: mine.length,
      currentNumberScheduled: mine.length,
      updatedNumberScheduled: mine.length,
      numberReady: ready,
      numberAvailable: ready,
      numberMisscheduled: 0,
      ...(mine.length - ready > 0 ? { numberUnavailable: mine.length - ready } : {}),
    });
  }
}
