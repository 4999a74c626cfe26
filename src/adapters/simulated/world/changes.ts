/**
 * What changed since the simulated controllers last ran (and, beside it, pod-index.ts: an index
 * of pods; vm-watch.ts: which VMs changed), so that a reconcile pass looks at what changed rather
 * than at every pod and node of the cluster: a run makes a few dozen passes per node, and passes
 * that each read every pod made the twin's cost grow with the square of the node count.
 *
 * The controllers stay level-based: `full` (at start, after a fault starts or ends) makes them
 * look at everything, and a pass that is not full covers every object whose inputs changed:
 * the pod itself, its node object, its node's VM (compared field by field before each pass
 * in which the world changed), its controller, and pods a timed world event names.
 */
import type { StoreEvent } from '../kube/store.js';
import { R } from './objects.js';
import { nodeNameOf } from './pod-helpers.js';

export interface PassChanges {
  /** Look at everything (start, resume, a fault's start or end). */
  full: boolean;
  /** Pods written, as `namespace/name`. */
  pods: Set<string>;
  /** Nodes whose node object, VM, or one of whose pods changed. */
  nodes: Set<string>;
  /** Controller uids (ReplicaSet, StatefulSet, DaemonSet, Job) of pods written. */
  owners: Set<string>;
  /** Every object written, as `resource|namespace/name`. */
  objects: Set<string>;
}

export function emptyChanges(full: boolean): PassChanges {
  return { full, pods: new Set(), nodes: new Set(), owners: new Set(), objects: new Set() };
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** Records one store event in `changes`. */
export function recordStoreEvent(changes: PassChanges, event: StoreEvent): void {
  const { metadata } = event.object;
  const key = objectKey(metadata.namespace, metadata.name);
  changes.objects.add(`${event.resource}|${key}`);
  if (event.resource === R.nodes) changes.nodes.add(metadata.name);
  if (event.resource !== R.pods) return;
  changes.pods.add(key);
  const node = nodeNameOf(event.object);
  if (node) changes.nodes.add(node);
  for (const ref of metadata.ownerReferences ?? []) changes.owners.add(ref.uid);
}
