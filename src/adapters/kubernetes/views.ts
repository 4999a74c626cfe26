/**
 * Kubernetes objects to the port's views. Works on both client-node model instances (typed
 * reads) and raw JSON (watch events): the field names are the same, only timestamps differ.
 */
import { podRequests, type PodSpecLike } from '../../core/pod-requests.js';
import type { ConditionStatus, LeaseRecord, NodeView, PodView } from '../../ports/kubernetes.js';

interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: unknown;
  ownerReferences?: { kind?: string; controller?: boolean }[];
}

export interface LooseNode {
  metadata?: Meta;
  spec?: { unschedulable?: boolean };
  status?: {
    conditions?: { type?: string; status?: string }[];
    nodeInfo?: {
      osImage?: string;
      kubeletVersion?: string;
      systemUUID?: string;
      bootID?: string;
    };
    allocatable?: Record<string, string>;
  };
}

export interface LoosePod {
  metadata?: Meta;
  spec?: { nodeName?: string; volumes?: { emptyDir?: unknown }[] } & PodSpecLike;
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}

const TALOS_OS_IMAGE = /^Talos \(v?([0-9][^)\s]*)\)$/;

export function toNodeView(node: LooseNode): NodeView {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const osImage = node.status?.nodeInfo?.osImage ?? '';
  return {
    name: node.metadata?.name ?? '',
    ready: (ready === 'True' || ready === 'False' ? ready : 'Unknown') as ConditionStatus,
    unschedulable: node.spec?.unschedulable === true,
    osImage,
    talosVersion: TALOS_OS_IMAGE.exec(osImage)?.[1],
    kubeletVersion: (node.status?.nodeInfo?.kubeletVersion ?? '').replace(/^v/, ''),
    ...(node.status?.nodeInfo?.systemUUID ? { systemUUID: node.status.nodeInfo.systemUUID } : {}),
    ...(node.status?.nodeInfo?.bootID ? { bootID: node.status.nodeInfo.bootID } : {}),
    labels: { ...node.metadata?.labels },
    allocatable: { ...node.status?.allocatable },
    resourceVersion: node.metadata?.resourceVersion ?? '',
  };
}

export function toPodView(pod: LoosePod): PodView {
  const meta = pod.metadata ?? {};
  const controller = meta.ownerReferences?.find((o) => o.controller === true);
  return {
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    nodeName: pod.spec?.nodeName || undefined,
    phase: pod.status?.phase ?? 'Unknown',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    controllerKind: controller?.kind,
    mirror: meta.annotations?.['kubernetes.io/config.mirror'] !== undefined,
    usesEmptyDir:
      pod.spec?.volumes?.some((v) => v.emptyDir !== undefined && v.emptyDir !== null) ?? false,
    deleting: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
    labels: { ...meta.labels },
    requests: podRequests(pod.spec),
  };
}

export interface LooseLease {
  metadata?: Meta;
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: unknown;
    renewTime?: unknown;
    leaseTransitions?: number;
  };
}

export function toLeaseRecord(lease: LooseLease): LeaseRecord {
  const spec = lease.spec ?? {};
  return {
    namespace: lease.metadata?.namespace ?? '',
    name: lease.metadata?.name ?? '',
    holderIdentity: spec.holderIdentity || undefined,
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: timeMs(spec.acquireTime),
    renewTime: timeMs(spec.renewTime),
    leaseTransitions: spec.leaseTransitions ?? 0,
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}

/** MicroTime reads come back as strings (client-node does not deserialize V1MicroTime). */
function timeMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
