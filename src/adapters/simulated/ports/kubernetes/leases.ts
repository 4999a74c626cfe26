/** Leases with optimistic concurrency: a stale resourceVersion or a taken name is LEASE_CONFLICT. */
import { DroverError } from '../../../../core/errors.js';
import type { LeaseRecord } from '../../../../ports/kubernetes.js';
import { StoreError } from '../../kube/store.js';
import { R } from '../../world/objects.js';
import type { World } from '../../world/world.js';
import { leaseSpec, toLease } from '../kube-views.js';

export async function getLease(
  world: World,
  namespace: string,
  name: string,
): Promise<LeaseRecord | undefined> {
  const obj = world.store.getView(R.leases, namespace, name);
  return obj ? toLease(obj) : undefined;
}

export async function createLease(
  world: World,
  lease: Omit<LeaseRecord, 'resourceVersion'>,
): Promise<LeaseRecord> {
  try {
    const created = world.store.create(R.leases, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: lease.name, namespace: lease.namespace },
      spec: leaseSpec(lease),
    });
    return toLease(created);
  } catch (error) {
    if (error instanceof StoreError && error.code === 409)
      throw new DroverError('refused', 'LEASE_CONFLICT', error.message, { cause: error });
    throw error;
  }
}

export async function updateLease(world: World, lease: LeaseRecord): Promise<LeaseRecord> {
  const current = world.store.getView(R.leases, lease.namespace, lease.name);
  // As the real adapter reports a PUT of a deleted Lease (kube-apiserver answers 404; not a
  // lost race, so not LEASE_CONFLICT): a failed request the lock must treat as such.
  if (!current) {
    const operation = `PUT lease ${lease.namespace}/${lease.name}`;
    throw new DroverError(
      'failed',
      'KUBE_REQUEST_FAILED',
      `Kubernetes API: ${operation} failed (HTTP 404 NotFound): leases.coordination.k8s.io "${lease.name}" not found`,
      { details: { operation, status: 404, reason: 'NotFound' } },
    );
  }
  try {
    const updated = world.store.update(
      R.leases,
      { ...current, spec: leaseSpec(lease) },
      { expectedResourceVersion: lease.resourceVersion },
    );
    return toLease(updated);
  } catch (error) {
    if (error instanceof StoreError && error.code === 409)
      throw new DroverError('refused', 'LEASE_CONFLICT', error.message, { cause: error });
    throw error;
  }
}
