/**
 * Kubernetes objects as the port's views (NodeView, PodView, LeaseRecord) and back: the
 * translation a real client does, including MicroTime with exactly six fractional digits.
 */
import { podRequests } from '../../../core/pod-requests.js';
import type { LeaseRecord, NodeView, PodView } from '../../../ports/kubernetes.js';
import { podPhase, podReady } from '../kube/pods.js';
import type { KubeObject } from '../kube/store.js';
import { readyStatus, talosVersionOf } from '../world/nodes.js';
import { MIRROR_ANNOTATION } from '../world/objects.js';

/**
 * Views of stored node objects, by object: the store replaces an object on every write, so a
 * view stays right for as long as its object is the stored one. The engine lists every node
 * on each gate and unit pick; each caller still gets its own copy.
 */
const nodeViews = new WeakMap<KubeObject, NodeView>();

export function toNodeView(obj: KubeObject): NodeView {
  let view = nodeViews.get(obj);
  if (!view) nodeViews.set(obj, (view = buildNodeView(obj)));
  return { ...view, labels: { ...view.labels }, allocatable: { ...view.allocatable } };
}

function buildNodeView(obj: KubeObject): NodeView {
  const info = (obj.status?.nodeInfo ?? {}) as {
    osImage?: string;
    kubeletVersion?: string;
    systemUUID?: string;
    bootID?: string;
  };
  return {
    name: obj.metadata.name,
    ready: readyStatus(obj),
    unschedulable: obj.spec?.unschedulable === true,
    osImage: info.osImage ?? '',
    talosVersion: talosVersionOf(obj),
    kubeletVersion: (info.kubeletVersion ?? '').replace(/^v/, ''),
    ...(info.systemUUID ? { systemUUID: info.systemUUID } : {}),
    ...(info.bootID ? { bootID: info.bootID } : {}),
    labels: { ...(obj.metadata.labels ?? {}) },
    allocatable: { ...((obj.status?.allocatable ?? {}) as Record<string, string>) },
    resourceVersion: obj.metadata.resourceVersion,
  };
}

export function toPodView(obj: KubeObject): PodView {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  const volumes = (obj.spec?.volumes ?? []) as { emptyDir?: unknown }[];
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    uid: obj.metadata.uid,
    nodeName: typeof obj.spec?.nodeName === 'string' ? obj.spec.nodeName : undefined,
    phase: podPhase(obj),
    ready: podReady(obj),
    controllerKind: ref?.kind,
    mirror: obj.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined,
    usesEmptyDir: volumes.some((v) => v.emptyDir !== undefined),
    deleting: obj.metadata.deletionTimestamp !== undefined,
    labels: { ...(obj.metadata.labels ?? {}) },
    requests: podRequests(obj.spec),
  };
}

/** MicroTime: exactly six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function leaseSpec(lease: Omit<LeaseRecord, 'resourceVersion'>): Record<string, unknown> {
  return {
    ...(lease.holderIdentity !== undefined ? { holderIdentity: lease.holderIdentity } : {}),
    leaseDurationSeconds: lease.leaseDurationSeconds,
    ...(lease.acquireTime !== undefined ? { acquireTime: microTime(lease.acquireTime) } : {}),
    ...(lease.renewTime !== undefined ? { renewTime: microTime(lease.renewTime) } : {}),
    leaseTransitions: lease.leaseTransitions,
  };
}

export function toLease(obj: KubeObject): LeaseRecord {
  const spec = (obj.spec ?? {}) as {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
    holderIdentity: spec.holderIdentity === '' ? undefined : spec.holderIdentity,
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ? Date.parse(spec.acquireTime) : undefined,
    renewTime: spec.renewTime ? Date.parse(spec.renewTime) : undefined,
    leaseTransitions: spec.leaseTransitions ?? 0,
    resourceVersion: obj.metadata.resourceVersion,
  };
}
