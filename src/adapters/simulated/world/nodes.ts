/**
 * Node objects as a kubelet and the node-lifecycle controller write them: the Ready condition,
 * nodeInfo (osImage `Talos (v1.10.8)`, kubeletVersion `v1.33.5`), labels, allocatable, and the
 * taints the controller adds later (unschedulable, not-ready/unreachable).
 */
import type { InventoryNode } from '../../../core/inventory.js';
import { iso, type KubeObject } from '../kube/store.js';
import type { World } from './world.js';

export const NODES = 'nodes';
export { GPU_LABEL } from '../../../core/gates.js';
import { GPU_LABEL } from '../../../core/gates.js';
export const GPU_RESOURCE = 'nvidia.com/gpu';

type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
};

export function newNodeObject(
  world: World,
  node: InventoryNode,
  talos: string,
  kubelet: string,
): KubeObject {
  const now = iso(world.now);
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': node.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'topology.kubernetes.io/zone': node.host,
    ...(node.role === 'controlplane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
    ...(node.labels ?? {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels,
      annotations: {},
      uid: '',
      resourceVersion: '',
      creationTimestamp: now,
    },
    spec: {
      ...(node.role === 'controlplane'
        ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }
        : {}),
    },
    status: {
      conditions: [readyCondition('True', now)],
      nodeInfo: { ...nodeInfo(talos, kubelet), ...machineIdentity(world, node.name) },
      addresses: [
        { type: 'InternalIP', address: node.address },
        { type: 'Hostname', address: node.name },
      ],
      capacity: resources(world, node),
      allocatable: resources(world, node),
    },
  };
}

function resources(world: World, node: InventoryNode): Record<string, string> {
  const own = world.context.scenario.nodes.find((n) => n.name === node.name)?.allocatable;
  return { ...typical(node.role), ...own };
}

function typical(role: string): Record<string, string> {
  return role === 'controlplane'
    ? { cpu: '4', memory: '8048204Ki', pods: '110', 'ephemeral-storage': '47227284Ki' }
    : { cpu: '8', memory: '32816712Ki', pods: '110', 'ephemeral-storage': '94454568Ki' };
}

/** The running machine's systemUUID (new per VM create) and bootID (new per boot), as the kubelet reports them. */
function machineIdentity(world: World, name: string): Record<string, string> {
  const vm = world.state.vms[name];
  return vm?.uuid && vm.bootId ? { systemUUID: vm.uuid, bootID: vm.bootId } : {};
}

function nodeInfo(talos: string, kubelet: string): Record<string, string> {
  return {
    osImage: `Talos (v${talos})`,
    kubeletVersion: `v${kubelet}`,
    kernelVersion: '6.12.40-talos',
    containerRuntimeVersion: 'containerd://2.0.5',
    operatingSystem: 'linux',
    architecture: 'amd64',
  };
}

function readyCondition(status: 'True' | 'False' | 'Unknown', at: string): Condition {
  const reason =
    status === 'True'
      ? 'KubeletReady'
      : status === 'False'
        ? 'KubeletNotReady'
        : 'NodeStatusUnknown';
  const message =
    status === 'True'
      ? 'kubelet is posting ready status'
      : status === 'False'
        ? 'container runtime network not ready: NetworkReady=false'
        : 'Kubelet stopped posting node status.';
  return { type: 'Ready', status, reason, message, lastHeartbeatTime: at, lastTransitionTime: at };
}

export function readyStatus(node: KubeObject | undefined): 'True' | 'False' | 'Unknown' {
  const conditions = node?.status?.conditions;
  if (!Array.isArray(conditions)) return 'Unknown';
  const ready = conditions.find((c: { type?: string }) => c.type === 'Ready') as
    { status?: string } | undefined;
  return ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown';
}

export function isCordoned(node: KubeObject | undefined): boolean {
  return node?.spec?.unschedulable === true;
}

export function talosVersionOf(node: KubeObject | undefined): string | undefined {
  const osImage = (node?.status?.nodeInfo as { osImage?: string } | undefined)?.osImage ?? '';
  return /\(v(\d+\.\d+\.\d+[^)]*)\)/.exec(osImage)?.[1];
}

/** The node controller's view: sets Ready (and the matching taint), keeping the rest. */
export function setReady(world: World, name: string, status: 'True' | 'False' | 'Unknown'): void {
  const node = world.store.get(NODES, undefined, name);
  if (!node) return;
  if (readyStatus(node) === status) return;
  world.store.mutate(NODES, undefined, name, (n) => {
    const st = (n.status ??= {});
    const others = (Array.isArray(st.conditions) ? st.conditions : []).filter(
      (c: { type?: string }) => c.type !== 'Ready',
    );
    st.conditions = [...others, readyCondition(status, iso(world.now))];
    const spec = (n.spec ??= {});
    const taints = (Array.isArray(spec.taints) ? spec.taints : []).filter(
      (t: { key?: string }) =>
        t.key !== 'node.kubernetes.io/not-ready' && t.key !== 'node.kubernetes.io/unreachable',
    );
    if (status !== 'True')
      taints.push({
        key: status === 'False' ? 'node.kubernetes.io/not-ready' : 'node.kubernetes.io/unreachable',
        effect: 'NoExecute',
        timeAdded: iso(world.now),
      });
    if (taints.length > 0) spec.taints = taints;
    else delete spec.taints;
  });
}

/** A fresh kubelet registers (or re-registers) the node at these versions, Ready or not. */
export function registerKubelet(
  world: World,
  node: InventoryNode,
  talos: string,
  kubelet: string,
  ready: boolean,
): void {
  const existing = world.store.get(NODES, undefined, node.name);
  if (!existing) {
    const created = newNodeObject(world, node, talos, kubelet);
    world.store.create(NODES, created);
    if (!ready) setReady(world, node.name, 'False');
    return;
  }
  world.store.mutate(NODES, undefined, node.name, (n) => {
    const st = (n.status ??= {});
    st.nodeInfo = {
      ...(st.nodeInfo as object),
      ...nodeInfo(talos, kubelet),
      ...machineIdentity(world, node.name),
    };
    // A fresh machine has no device plugin yet: the GPU label and resource come later.
    const labels = { ...(n.metadata.labels ?? {}) };
    delete labels[GPU_LABEL];
    n.metadata.labels = labels;
    const alloc = { ...(st.allocatable as Record<string, string>) };
    const cap = { ...(st.capacity as Record<string, string>) };
    delete alloc[GPU_RESOURCE];
    delete cap[GPU_RESOURCE];
    st.allocatable = alloc;
    st.capacity = cap;
  });
  setReady(world, node.name, ready ? 'True' : 'False');
}

/** The device plugin registered: label first, allocatable "0" until the GPUs are counted. */
export function setGpu(world: World, name: string, count: number | undefined): void {
  world.store.mutate(NODES, undefined, name, (n) => {
    n.metadata.labels = { ...(n.metadata.labels ?? {}), [GPU_LABEL]: 'true' };
    const st = (n.status ??= {});
    const value = String(count ?? 0);
    st.allocatable = { ...(st.allocatable as Record<string, string>), [GPU_RESOURCE]: value };
    st.capacity = { ...(st.capacity as Record<string, string>), [GPU_RESOURCE]: value };
  });
}
