import { describe, expect, it } from 'vitest';
import { addPdb, addPod } from '../../../../test/helpers/kube-fixtures.js';
import { evictPod, PDB_RESOURCE } from './eviction.js';
import { deletePod } from './pods.js';
import { KubeStore } from './store.js';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const body = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'policy/v1',
  kind: 'Eviction',
  metadata: { name, namespace: 'apps' },
  ...extra,
});
type Budget = Parameters<typeof addPdb>[4];
const budget = (disruptionsAllowed: number, currentHealthy = 2, desiredHealthy = 2): Budget => ({
  disruptionsAllowed,
  currentHealthy,
  desiredHealthy,
  expectedPods: 2,
});

function world(
  options: {
    phase?: string;
    ready?: boolean;
    pdbs?: Budget[];
    policy?: string;
    deleting?: boolean;
  } = {},
): KubeStore {
  const store = new KubeStore(() => NOW);
  addPod(store, {
    namespace: 'apps',
    name: 'web-1',
    node: 'w-1',
    labels: { app: 'web' },
    phase: options.phase,
    ready: options.ready,
    owner: { kind: 'ReplicaSet', name: 'web' },
  });
  (options.pdbs ?? []).forEach((b, i) => {
    addPdb(store, 'apps', i === 0 ? 'web' : `web-${i}`, { app: 'web' }, b);
    if (options.policy)
      store.mutate(
        PDB_RESOURCE,
        'apps',
        i === 0 ? 'web' : `web-${i}`,
        (p) => ((p.spec as Record<string, unknown>).unhealthyPodEvictionPolicy = options.policy),
      );
  });
  if (options.deleting) deletePod(store, 'apps', 'web-1', 30, NOW);
  return store;
}

const created = {
  code: 201,
  body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 },
};
const tooMany = (cause: string, retryAfterSeconds?: number) => ({
  code: 429,
  body: {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    reason: 'TooManyRequests',
    details: {
      causes: [{ reason: 'DisruptionBudget', message: cause }],
      ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
    },
    code: 429,
  },
});

describe('evictPod (the eviction subresource, in the API server order)', () => {
  const cases: {
    name: string;
    store: () => KubeStore;
    evict?: unknown;
    expected: unknown;
    podAfter: 'gone' | 'terminating' | 'running';
    allowedAfter?: number;
  }[] = [
    {
      name: 'name mismatch is 400',
      store: () => world(),
      evict: body('other'),
      expected: {
        code: 400,
        body: expect.objectContaining({
          reason: 'BadRequest',
          message: 'name in URL does not match name in Eviction object',
        }),
      },
      podAfter: 'running',
    },
    {
      name: 'missing name is 400',
      store: () => world(),
      evict: { kind: 'Eviction' },
      expected: expect.objectContaining({ code: 400 }),
      podAfter: 'running',
    },
    {
      name: 'a Succeeded pod is deleted whatever the budget',
      store: () => world({ phase: 'Succeeded', pdbs: [budget(0)] }),
      expected: created,
      podAfter: 'gone',
      allowedAfter: 0,
    },
    {
      name: 'a Pending pod is deleted whatever the budget',
      store: () => world({ phase: 'Pending', pdbs: [budget(0)] }),
      expected: created,
      podAfter: 'gone',
      allowedAfter: 0,
    },
    {
      name: 'a pod already terminating is accepted again',
      store: () => world({ deleting: true, pdbs: [budget(0)] }),
      expected: created,
      podAfter: 'terminating',
      allowedAfter: 0,
    },
    {
      name: 'two PDBs are a 500 without reason',
      store: () => world({ pdbs: [budget(1), budget(1)] }),
      expected: {
        code: 500,
        body: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message:
            'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
          code: 500,
        },
      },
      podAfter: 'running',
      allowedAfter: 1,
    },
    {
      name: 'no PDB: graceful delete',
      store: () => world(),
      expected: created,
      podAfter: 'terminating',
    },
    {
      name: 'unready pod, AlwaysAllow: no budget spent',
      store: () => world({ ready: false, policy: 'AlwaysAllow', pdbs: [budget(0, 1, 2)] }),
      expected: created,
      podAfter: 'terminating',
      allowedAfter: 0,
    },
    {
      name: 'unready pod, healthy budget: no budget spent',
      store: () => world({ ready: false, pdbs: [budget(1, 2, 2)] }),
      expected: created,
      podAfter: 'terminating',
      allowedAfter: 1,
    },
    {
      name: 'unready pod, unhealthy budget: checked as usual',
      store: () => world({ ready: false, pdbs: [budget(0, 1, 2)] }),
      expected: tooMany('The disruption budget web needs 2 healthy pods and has 1 currently'),
      podAfter: 'running',
      allowedAfter: 0,
    },
    {
      name: 'negative budget is 403',
      store: () => world({ pdbs: [budget(-1)] }),
      expected: {
        code: 403,
        body: expect.objectContaining({
          reason: 'Forbidden',
          message:
            'poddisruptionbudget.policy "web" is forbidden: pdb disruptions allowed is negative',
        }),
      },
      podAfter: 'running',
      allowedAfter: -1,
    },
    {
      name: 'zero budget is 429 without Retry-After',
      store: () => world({ pdbs: [budget(0)] }),
      expected: tooMany('The disruption budget web needs 2 healthy pods and has 2 currently'),
      podAfter: 'running',
      allowedAfter: 0,
    },
    {
      name: 'budget of one is spent at once',
      store: () => world({ pdbs: [budget(1, 3, 2)] }),
      expected: created,
      podAfter: 'terminating',
      allowedAfter: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const store = c.store();
      expect(evictPod(store, 'apps', 'web-1', c.evict ?? body('web-1'), NOW)).toEqual(c.expected);
      const pod = store.get('pods', 'apps', 'web-1');
      expect(
        pod === undefined ? 'gone' : pod.metadata.deletionTimestamp ? 'terminating' : 'running',
      ).toBe(c.podAfter);
      if (c.allowedAfter !== undefined)
        expect(store.get(PDB_RESOURCE, 'apps', 'web')?.status?.disruptionsAllowed).toBe(
          c.allowedAfter,
        );
    });
  }

  it('a missing pod is 404 with the real message', () => {
    expect(evictPod(world(), 'apps', 'ghost', body('ghost'), NOW)).toEqual({
      code: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pods "ghost" not found',
        reason: 'NotFound',
        details: { name: 'ghost', kind: 'pods' },
        code: 404,
      },
    });
  });

  it('a stale PDB generation is 429 with retryAfterSeconds 10', () => {
    const store = world({ pdbs: [budget(1)] });
    store.mutate(
      PDB_RESOURCE,
      'apps',
      'web',
      (p) => ((p.spec as Record<string, unknown>).minAvailable = 1),
      { bumpGeneration: true },
    );
    expect(evictPod(store, 'apps', 'web-1', body('web-1'), NOW)).toEqual(
      tooMany('The disruption budget web is still being processed by the server.', 10),
    );
  });

  it('records the disruption and marks the pod as a disruption target', () => {
    const store = world({ pdbs: [budget(1, 3, 2)] });
    evictPod(
      store,
      'apps',
      'web-1',
      body('web-1', { deleteOptions: { gracePeriodSeconds: 5 } }),
      NOW,
    );
    expect(store.get(PDB_RESOURCE, 'apps', 'web')?.status?.disruptedPods).toEqual({
      'web-1': '2026-11-26T08:00:00Z',
    });
    const pod = store.get('pods', 'apps', 'web-1');
    expect(pod?.metadata).toMatchObject({
      deletionTimestamp: '2026-11-26T08:00:05Z',
      deletionGracePeriodSeconds: 5,
    });
    expect(pod?.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'EvictionByEvictionAPI',
      }),
    );
    // The second eviction meets the spent budget.
    addPod(store, { namespace: 'apps', name: 'web-2', node: 'w-2', labels: { app: 'web' } });
    expect(evictPod(store, 'apps', 'web-2', { metadata: { name: 'web-2' } }, NOW).code).toBe(429);
  });
});

describe('deletePod', () => {
  it('marks a running pod for graceful deletion with its termination grace period', () => {
    const store = world();
    const answer = deletePod(store, 'apps', 'web-1', undefined, NOW);
    expect(answer.code).toBe(200);
    expect(store.get('pods', 'apps', 'web-1')?.metadata).toMatchObject({
      deletionTimestamp: '2026-11-26T08:00:30Z',
      deletionGracePeriodSeconds: 30,
    });
    // A longer grace period later does not extend it; a shorter one does shorten it.
    deletePod(store, 'apps', 'web-1', 60, NOW);
    expect(store.get('pods', 'apps', 'web-1')?.metadata.deletionGracePeriodSeconds).toBe(30);
    deletePod(store, 'apps', 'web-1', 0, NOW);
    expect(store.get('pods', 'apps', 'web-1')).toBeUndefined();
  });

  it('removes at once pods that never ran or finished, and answers 404 for missing ones', () => {
    const pending = world({ phase: 'Pending' });
    deletePod(pending, 'apps', 'web-1', 30, NOW);
    expect(pending.get('pods', 'apps', 'web-1')).toBeUndefined();
    const failed = world({ phase: 'Failed' });
    deletePod(failed, 'apps', 'web-1', undefined, NOW);
    expect(failed.get('pods', 'apps', 'web-1')).toBeUndefined();
    expect(deletePod(failed, 'apps', 'web-1', undefined, NOW)).toMatchObject({
      code: 404,
      body: { message: 'pods "web-1" not found' },
    });
  });
});
