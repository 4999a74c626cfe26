/**
 * Pods a drain test puts on a node of the twin by hand, as a user or a controller would have
 * left them (a bare pod, a finished Job pod, an evicted pod): written to the twin's Kubernetes
 * store, so the drain meets them through the same API as every other pod.
 */
import type { SimulatedCluster } from '../../adapters/simulated/index.js';
import { R } from '../../adapters/simulated/world/objects.js';

export interface HandPlacedPod {
  namespace?: string;
  name: string;
  node: string;
  /** The controller's kind (and name: `app` label and owner); none: a bare pod. */
  owner?: { kind: string; name: string };
  phase?: 'Running' | 'Succeeded' | 'Failed';
  emptyDir?: boolean;
}

export function placePod(cluster: SimulatedCluster, pod: HandPlacedPod): void {
  const phase = pod.phase ?? 'Running';
  const at = new Date(cluster.clock.now() - 3_600_000).toISOString();
  const running = phase === 'Running';
  cluster.store.create(R.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace: pod.namespace ?? 'default',
      labels: { app: pod.owner?.name ?? pod.name },
      ...(pod.owner
        ? {
            ownerReferences: [
              {
                apiVersion: pod.owner.kind === 'Job' ? 'batch/v1' : 'apps/v1',
                kind: pod.owner.kind,
                name: pod.owner.name,
                uid: `hand-placed-${pod.owner.name}`,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      nodeName: pod.node,
      restartPolicy: running ? 'Always' : 'Never',
      schedulerName: 'default-scheduler',
      containers: [{ name: 'main', image: 'registry.example/tool:1' }],
      ...(pod.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
    },
    status: {
      phase,
      startTime: at,
      conditions: [{ type: 'Ready', status: running ? 'True' : 'False', lastTransitionTime: at }],
      ...(phase === 'Failed' ? { reason: 'Evicted' } : {}),
    },
  });
}
