import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../../test/helpers/kube-http-harness.js';
import { withRequestTimeout } from './leases.js';

let h: Harness;
afterEach(async () => h?.close());

const T0 = Date.parse('2026-11-26T07:00:00.123Z');
const base = {
  namespace: 'kube-system',
  name: 'drover-lock',
  leaseDurationSeconds: 300,
  leaseTransitions: 0,
};

async function raw(method: string, path: string, body: unknown, contentType = 'application/json') {
  const res = await fetch(h.server.url + path, {
    method,
    headers: { 'Content-Type': contentType, Authorization: `Bearer ${h.server.droverToken}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('leases over HTTP', () => {
  it('creates, reads and renews a Lease with six-digit MicroTimes', async () => {
    h = await startHarness();
    const created = await h.adapter.createLease({
      ...base,
      holderIdentity: 'run-a',
      acquireTime: T0,
      renewTime: T0,
    });
    expect(created).toMatchObject({
      ...base,
      holderIdentity: 'run-a',
      acquireTime: T0,
      renewTime: T0,
    });
    const stored = h.store.get('coordination.k8s.io/leases', 'kube-system', 'drover-lock');
    expect(stored?.spec).toMatchObject({
      acquireTime: '2026-11-26T07:00:00.123000Z',
      renewTime: '2026-11-26T07:00:00.123000Z',
    });
    expect(await h.adapter.getLease('kube-system', 'drover-lock')).toEqual(created);
    const renewed = await h.adapter.updateLease({ ...created, renewTime: T0 + 10_000 });
    expect(renewed.renewTime).toBe(T0 + 10_000);
    expect(Number(renewed.resourceVersion)).toBeGreaterThan(Number(created.resourceVersion));
    expect(await h.adapter.getLease('kube-system', 'other')).toBeUndefined();
  });

  it('a Lease held by another holder: create and stale updates are LEASE_CONFLICT', async () => {
    h = await startHarness();
    const theirs = await h.adapter.createLease({
      ...base,
      holderIdentity: 'run-b',
      acquireTime: T0,
      renewTime: T0,
    });
    await expect(
      h.adapter.createLease({ ...base, holderIdentity: 'run-a', acquireTime: T0, renewTime: T0 }),
    ).rejects.toMatchObject({ code: 'LEASE_CONFLICT', category: 'refused' });
    // They renew; our takeover based on the version we read is stale.
    await h.adapter.updateLease({ ...theirs, renewTime: T0 + 5000 });
    await expect(
      h.adapter.updateLease({ ...theirs, holderIdentity: 'run-a', leaseTransitions: 1 }),
    ).rejects.toMatchObject({ code: 'LEASE_CONFLICT' });
    expect((await h.adapter.getLease('kube-system', 'drover-lock'))?.holderIdentity).toBe('run-b');
    // Taking over from the current version works.
    const current = await h.adapter.getLease('kube-system', 'drover-lock');
    const mine = await h.adapter.updateLease({
      ...current!,
      holderIdentity: 'run-a',
      acquireTime: T0 + 6000,
      renewTime: T0 + 6000,
      leaseTransitions: 1,
    });
    expect(mine).toMatchObject({ holderIdentity: 'run-a', leaseTransitions: 1 });
  });

  it('the fake is as strict as the server: 409 text, 422 without resourceVersion, 400 on three-digit MicroTime', async () => {
    h = await startHarness();
    const lease = await h.adapter.createLease({
      ...base,
      holderIdentity: 'run-b',
      acquireTime: T0,
      renewTime: T0,
    });
    const path = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/drover-lock';
    const body = (rv: string | undefined, renewTime: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: 'drover-lock',
        namespace: 'kube-system',
        ...(rv ? { resourceVersion: rv } : {}),
      },
      spec: { holderIdentity: 'run-a', leaseDurationSeconds: 300, renewTime },
    });
    const noRv = await raw('PUT', path, body(undefined, '2026-11-26T07:00:01.000000Z'));
    expect(noRv.status).toBe(422);
    expect(noRv.body.message).toBe(
      'leases.coordination.k8s.io "drover-lock" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    );
    const threeDigits = await raw(
      'PUT',
      path,
      body(lease.resourceVersion, new Date(T0).toISOString()),
    );
    expect(threeDigits.status).toBe(400);
    expect(threeDigits.body.message).toContain('cannot parse ".123Z" as ".000000"');
    const stale = await raw('PUT', path, body('1', '2026-11-26T07:00:01.000000Z'));
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on leases.coordination.k8s.io "drover-lock": the object has been modified; please apply your changes to the latest version and try again',
    });
    const dup = await raw(
      'POST',
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
      body(undefined, '2026-11-26T07:00:01.000000Z'),
    );
    expect(dup).toMatchObject({
      status: 409,
      body: {
        reason: 'AlreadyExists',
        message: 'leases.coordination.k8s.io "drover-lock" already exists',
      },
    });
    // PUT of a missing Lease creates it.
    const created = await raw('PUT', path.replace('drover-lock', 'fresh'), {
      ...body(undefined, '2026-11-26T07:00:01.000000Z'),
      metadata: { name: 'fresh' },
    });
    expect(created.status).toBe(201);
  });
});

describe('a lease request that hangs', () => {
  it('is given up after the request timeout (real time), transient', async () => {
    const hang = () => new Promise<never>(() => undefined);
    await expect(withRequestTimeout(hang, 'PUT lease kube-system/x', 20)).rejects.toMatchObject({
      code: 'LEASE_REQUEST_TIMEOUT',
      retryable: true,
    });
    await expect(withRequestTimeout(async () => 'ok', 'GET', 20)).resolves.toBe('ok');
  });
});
