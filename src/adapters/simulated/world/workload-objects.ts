/**
 * The objects a scenario's workloads become: Deployments, StatefulSets and DaemonSets with their
 * pod template, and a Deployment's ReplicaSet. Placement (which nodes a workload may use) and
 * spreading are kept in annotations the simulated scheduler reads.
 */
import type { KubeObject } from '../kube/store.js';
import {
  ownerRef,
  PLACEMENT_ANNOTATION,
  SPREAD_ANNOTATION,
  type NewObject,
  type Placement,
} from './objects.js';

export interface WorkloadShape {
  namespace: string;
  name: string;
  replicas?: number;
  placement: Placement;
  spread: boolean;
  emptyDir: boolean;
  grace: number;
  /** Each pod's requests (quantities); none when absent. */
  requests?: { cpu: string; memory: string } | undefined;
}

function podTemplate(w: WorkloadShape): Record<string, unknown> {
  return {
    metadata: { labels: { app: w.name } },
    spec: {
      terminationGracePeriodSeconds: w.grace,
      containers: [
        {
          name: w.name,
          image: `registry.example/${w.name}:1`,
          ...(w.requests ? { resources: { requests: { ...w.requests } } } : {}),
        },
      ],
      ...(w.emptyDir ? { volumes: [{ name: 'cache', emptyDir: {} }] } : {}),
      ...(w.spread
        ? {
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [
                  {
                    labelSelector: { matchLabels: { app: w.name } },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                ],
              },
            },
          }
        : {}),
    },
  };
}

function annotations(w: WorkloadShape): Record<string, string> {
  return { [PLACEMENT_ANNOTATION]: w.placement, [SPREAD_ANNOTATION]: String(w.spread) };
}

export function workloadObject(
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet',
  w: WorkloadShape,
): NewObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: {
      name: w.name,
      namespace: w.namespace,
      labels: { app: w.name },
      annotations: annotations(w),
    },
    spec: {
      ...(kind === 'DaemonSet' ? {} : { replicas: w.replicas ?? 1 }),
      ...(kind === 'StatefulSet' ? { serviceName: w.name } : {}),
      selector: { matchLabels: { app: w.name } },
      template: podTemplate(w),
    },
    status: {},
  };
}

export function replicaSetObject(deployment: KubeObject, hash: string): NewObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deployment.metadata.name}-${hash}`,
      namespace: deployment.metadata.namespace,
      labels: { app: deployment.metadata.name, 'pod-template-hash': hash },
      annotations: { ...(deployment.metadata.annotations ?? {}) },
      ownerReferences: [ownerRef(deployment)],
    },
    spec: {
      replicas: deployment.spec?.replicas ?? 1,
      selector: { matchLabels: { app: deployment.metadata.name, 'pod-template-hash': hash } },
      template: deployment.spec?.template,
    },
    status: {},
  };
}
