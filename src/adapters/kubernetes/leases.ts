/**
 * The Lease lock's storage: coordination.k8s.io/v1 Leases. Times go out as V1MicroTime (six
 * fractional digits; a Date would send three and the server answers 400); 409 on create
 * (AlreadyExists) or replace (stale resourceVersion) is LEASE_CONFLICT.
 */
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import { DroverError } from '../../core/errors.js';
import type { LeaseRecord } from '../../ports/kubernetes.js';
import { readOptional, type KubeClient } from './client.js';
import { toLeaseRecord, type LooseLease } from './views.js';

/**
 * A lease request that has not answered after this long (real time) is given up: a half-open
 * connection must not hold the renewal loop past the lease's expiry. Far below any sane TTL.
 */
export const LEASE_REQUEST_TIMEOUT_MS = 15_000;

/** Rejects with LEASE_REQUEST_TIMEOUT (retryable) when `call` hangs past `ms` of real time. */
export async function withRequestTimeout<T>(
  call: () => Promise<T>,
  what: string,
  ms = LEASE_REQUEST_TIMEOUT_MS,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DroverError(
            'failed',
            'LEASE_REQUEST_TIMEOUT',
            `${what}: no answer within ${ms / 1000}s`,
            {
              hint: 'The Kubernetes API did not answer; the lease renewal is retried until the lease would expire.',
            },
          ),
        ),
      ms,
    );
    timer.unref();
  });
  try {
    return await Promise.race([call(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function getLease(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<LeaseRecord | undefined> {
  const lease = await readOptional(client, `GET lease ${namespace}/${name}`, () =>
    withRequestTimeout(
      () => client.coordination.readNamespacedLease({ name, namespace }),
      `GET lease ${namespace}/${name}`,
    ),
  );
  return lease ? toLeaseRecord(lease as LooseLease) : undefined;
}

function leaseBody(
  lease: Omit<LeaseRecord, 'resourceVersion'> & { resourceVersion?: string },
): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: lease.name,
      namespace: lease.namespace,
      ...(lease.resourceVersion ? { resourceVersion: lease.resourceVersion } : {}),
    },
    spec: {
      ...(lease.holderIdentity !== undefined ? { holderIdentity: lease.holderIdentity } : {}),
      leaseDurationSeconds: lease.leaseDurationSeconds,
      ...(lease.acquireTime !== undefined
        ? { acquireTime: new V1MicroTime(lease.acquireTime) }
        : {}),
      ...(lease.renewTime !== undefined ? { renewTime: new V1MicroTime(lease.renewTime) } : {}),
      leaseTransitions: lease.leaseTransitions,
    },
  };
}

async function conflictAware<T>(
  call: () => Promise<T>,
  lease: { namespace: string; name: string },
  action: string,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if ((error as { details?: { status?: number } }).details?.status === 409) {
      throw new DroverError(
        'refused',
        'LEASE_CONFLICT',
        `Lease ${lease.namespace}/${lease.name}: ${action} lost a race with another holder`,
        {
          cause: error,
          hint: 'Another Drover run holds or just took the lock; read the Lease to see who holds it.',
          details: { namespace: lease.namespace, name: lease.name },
        },
      );
    }
    throw error;
  }
}

export function createLease(
  client: KubeClient,
  lease: Omit<LeaseRecord, 'resourceVersion'>,
): Promise<LeaseRecord> {
  return conflictAware(
    async () => {
      const created = await client.write(`POST lease ${lease.namespace}/${lease.name}`, () =>
        client.coordination.createNamespacedLease({
          namespace: lease.namespace,
          body: leaseBody(lease),
        }),
      );
      return toLeaseRecord(created as LooseLease);
    },
    lease,
    'create',
  );
}

export function updateLease(client: KubeClient, lease: LeaseRecord): Promise<LeaseRecord> {
  return conflictAware(
    async () => {
      const replaced = await client.write(`PUT lease ${lease.namespace}/${lease.name}`, () =>
        withRequestTimeout(
          () =>
            client.coordination.replaceNamespacedLease({
              name: lease.name,
              namespace: lease.namespace,
              body: leaseBody(lease),
            }),
          `PUT lease ${lease.namespace}/${lease.name}`,
        ),
      );
      return toLeaseRecord(replaced as LooseLease);
    },
    lease,
    'update',
  );
}
