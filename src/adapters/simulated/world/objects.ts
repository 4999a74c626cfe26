/**
 * The resources of the simulated API the world uses, and constructors for the Kubernetes objects
 * it creates: pods, PDBs, mirror pods, namespaces, the CephCluster and HelmReleases (workloads
 * and ReplicaSets: workload-objects.ts). Placement (which nodes a workload may use) is kept in an
 * annotation the simulated scheduler reads.
 */
import type { KubeObject } from '../kube/store.js';

export const R = {
  pods: 'pods',
  nodes: 'nodes',
  namespaces: 'namespaces',
  deployments: 'apps/deployments',
  replicasets: 'apps/replicasets',
  statefulsets: 'apps/statefulsets',
  daemonsets: 'apps/daemonsets',
  pdbs: 'policy/poddisruptionbudgets',
  leases: 'coordination.k8s.io/leases',
  cephclusters: 'ceph.rook.io/cephclusters',
  cephblockpools: 'ceph.rook.io/cephblockpools',
  cephfilesystems: 'ceph.rook.io/cephfilesystems',
  cephobjectstores: 'ceph.rook.io/cephobjectstores',
  helmreleases: 'helm.toolkit.fluxcd.io/helmreleases',
} as const;

export const PLACEMENT_ANNOTATION = 'simulated.drover.dev/placement';
export const SPREAD_ANNOTATION = 'simulated.drover.dev/spread';
export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export type Placement = 'workers' | 'all' | 'controlplane' | 'osd' | 'gpu';

type Meta = KubeObject['metadata'];
/** An object to create: the store fills in the rest of its metadata (uid, creation time, ...). */
export type NewObject = Omit<KubeObject, 'metadata'> & {
  metadata: Partial<Meta> & { name: string };
};

export function ownerRef(owner: KubeObject): NonNullable<Meta['ownerReferences']>[number] {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
  };
}

/** A pod of `owner`, not yet scheduled (or bound to `nodeName` for DaemonSets and mirror pods). */
export function podObject(
  owner: KubeObject,
  name: string,
  extraLabels: Record<string, string>,
  nodeName?: string,
): NewObject {
  const template = (owner.spec?.template ?? {}) as {
    metadata?: { labels?: Record<string, string> };
    spec?: Record<string, unknown>;
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...extraLabels },
      annotations: { ...(owner.metadata.annotations ?? {}) },
      ownerReferences: [ownerRef(owner)],
    },
    spec: {
      ...(template.spec ?? {}),
      ...(nodeName ? { nodeName } : {}),
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
    },
    status: { phase: 'Pending', conditions: [] },
  };
}

export function mirrorPodObject(component: string, node: KubeObject): NewObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-${node.metadata.name}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
      annotations: {
        [MIRROR_ANNOTATION]: `${component}-${node.metadata.name}`,
        [PLACEMENT_ANNOTATION]: 'controlplane',
      },
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Node',
          name: node.metadata.name,
          uid: node.metadata.uid,
          controller: true,
        },
      ],
    },
    spec: {
      nodeName: node.metadata.name,
      containers: [{ name: component, image: `registry.k8s.io/${component}:v1` }],
      priorityClassName: 'system-node-critical',
      hostNetwork: true,
    },
    status: { phase: 'Pending', conditions: [] },
  };
}

export function pdbObject(
  namespace: string,
  name: string,
  budget: { minAvailable: number | string } | { maxUnavailable: number | string },
): NewObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace },
    spec: { ...budget, selector: { matchLabels: { app: name } } },
    status: {
      observedGeneration: 0,
      disruptionsAllowed: 0,
      currentHealthy: 0,
      desiredHealthy: 0,
      expectedPods: 0,
    },
  };
}

export function namespaceObject(name: string): NewObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function cephClusterObject(): NewObject {
  return {
    apiVersion: 'ceph.rook.io/v1',
    kind: 'CephCluster',
    metadata: { name: 'rook-ceph', namespace: 'rook-ceph' },
    spec: {
      cephVersion: { image: 'quay.io/ceph/ceph:v19.2.3' },
      mon: { count: 3 },
      storage: { useAllNodes: true },
    },
    status: { phase: 'Ready', state: 'Created', ceph: { health: 'HEALTH_OK', details: {} } },
  };
}

export function helmReleaseObject(namespace: string, name: string, ready: boolean): NewObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name, namespace },
    spec: {
      interval: '30m',
      chart: { spec: { chart: name, sourceRef: { kind: 'HelmRepository', name } } },
    },
    status: {
      observedGeneration: 1,
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          reason: ready ? 'InstallSucceeded' : 'InstallFailed',
          message: ready
            ? `Helm install succeeded for release ${namespace}/${name}`
            : 'install retries exhausted',
        },
      ],
    },
  };
}
