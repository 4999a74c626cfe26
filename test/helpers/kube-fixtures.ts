/**
 * Builders for Kubernetes objects in a KubeStore, shaped like a real cluster's JSON (Talos
 * nodes, ReplicaSet- and DaemonSet-owned pods, PDBs with the disruption controller's status).
 */
import type { KubeObject, KubeStore } from '../../src/adapters/simulated/kube/store.js';

export interface NodeFixture {
  name: string;
  ready?: 'True' | 'False' | 'Unknown';
  talos?: string;
  kubelet?: string;
  controlPlane?: boolean;
  labels?: Record<string, string>;
  allocatable?: Record<string, string>;
}

export function addNode(store: KubeStore, n: NodeFixture): KubeObject {
  return store.create('nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        ...(n.controlPlane ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
        ...n.labels,
      },
    },
    spec: {},
    status: {
      conditions: [
        {
          type: 'Ready',
          status: n.ready ?? 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        },
      ],
      nodeInfo: {
        osImage: `Talos (v${n.talos ?? '1.10.8'})`,
        kubeletVersion: `v${n.kubelet ?? '1.33.5'}`,
        containerRuntimeVersion: 'containerd://2.0.5',
        kernelVersion: '6.12.48-talos',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110', ...n.allocatable },
      capacity: { cpu: '4', memory: '8Gi', pods: '110', ...n.allocatable },
      addresses: [{ type: 'Hostname', address: n.name }],
    },
  });
}

export interface PodFixture {
  namespace: string;
  name: string;
  node: string;
  phase?: string;
  ready?: boolean;
  labels?: Record<string, string>;
  owner?: { kind: string; name: string };
  emptyDir?: boolean;
  mirror?: boolean;
  grace?: number;
}

export function addPod(store: KubeStore, p: PodFixture): KubeObject {
  const phase = p.phase ?? 'Running';
  const ready = p.ready ?? phase === 'Running';
  return store.create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: p.labels ?? {},
      ...(p.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
      ...(p.owner
        ? {
            ownerReferences: [
              {
                apiVersion: p.owner.kind === 'Node' ? 'v1' : 'apps/v1',
                kind: p.owner.kind,
                name: p.owner.name,
                uid: `uid-${p.owner.name}`,
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      nodeName: p.node,
      terminationGracePeriodSeconds: p.grace ?? 30,
      containers: [{ name: 'main', image: 'registry.example/app:1' }],
      volumes: p.emptyDir ? [{ name: 'scratch', emptyDir: {} }] : [],
    },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      podIP: '10.244.0.10',
    },
  });
}

export function addWorkload(
  store: KubeStore,
  kind: 'Deployment' | 'DaemonSet',
  namespace: string,
  name: string,
  desired: number,
  available: number,
): KubeObject {
  const status =
    kind === 'Deployment'
      ? {
          replicas: desired,
          readyReplicas: available,
          availableReplicas: available,
          updatedReplicas: desired,
          observedGeneration: 1,
        }
      : {
          desiredNumberScheduled: desired,
          currentNumberScheduled: desired,
          numberReady: available,
          numberAvailable: available,
          updatedNumberScheduled: desired,
          observedGeneration: 1,
        };
  return store.create(kind === 'Deployment' ? 'apps/deployments' : 'apps/daemonsets', {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      ...(kind === 'Deployment' ? { replicas: desired } : {}),
    },
    status,
  });
}

export function addPdb(
  store: KubeStore,
  namespace: string,
  name: string,
  matchLabels: Record<string, string>,
  status: {
    disruptionsAllowed: number;
    currentHealthy: number;
    desiredHealthy: number;
    expectedPods: number;
  },
): KubeObject {
  return store.create('policy/poddisruptionbudgets', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace },
    spec: { selector: { matchLabels }, minAvailable: status.desiredHealthy },
    status: { ...status, observedGeneration: 1, disruptedPods: {} },
  });
}

/** Sets a PDB's status as the disruption controller would. */
export function setPdbStatus(
  store: KubeStore,
  namespace: string,
  name: string,
  status: Record<string, unknown>,
): void {
  store.mutate('policy/poddisruptionbudgets', namespace, name, (pdb) => {
    pdb.status = { ...pdb.status, ...status };
  });
}

/** Two workers with coredns (one replica unready) and cilium: the health reads' small world. */
export function twoWorkerWorld(store: KubeStore): void {
  addNode(store, { name: 'w-1' });
  addNode(store, { name: 'w-2' });
  addWorkload(store, 'Deployment', 'kube-system', 'coredns', 2, 1);
  addWorkload(store, 'DaemonSet', 'kube-system', 'cilium', 2, 2);
  addPod(store, {
    namespace: 'kube-system',
    name: 'coredns-a',
    node: 'w-2',
    labels: { app: 'coredns' },
  });
  addPod(store, {
    namespace: 'kube-system',
    name: 'coredns-b',
    node: 'w-1',
    labels: { app: 'coredns' },
    ready: false,
  });
  addPod(store, {
    namespace: 'kube-system',
    name: 'cilium-1',
    node: 'w-1',
    labels: { app: 'cilium' },
  });
  addPod(store, {
    namespace: 'kube-system',
    name: 'cilium-2',
    node: 'w-2',
    labels: { app: 'cilium' },
  });
}
