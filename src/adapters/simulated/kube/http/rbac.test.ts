import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { addNode } from '../../../../../test/helpers/kube-fixtures.js';
import { startHarness, type Harness } from '../../../../../test/helpers/kube-http-harness.js';
import { DROVER_CLUSTER_ROLE } from './rbac.js';

let h: Harness;
afterEach(async () => h?.close());

const DOCS = join(import.meta.dirname, '..', '..', '..', '..', '..', 'docs', 'kubernetes.md');

describe('RBAC of the fake API server', () => {
  it('enforces exactly the ClusterRole docs/kubernetes.md documents', () => {
    const text = readFileSync(DOCS, 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
    const role = yaml
      .split(/^---$/m)
      .map((d) => parse(d) as { kind?: string; rules?: unknown })
      .find((d) => d.kind === 'ClusterRole');
    expect(role?.rules).toEqual(DROVER_CLUSTER_ROLE);
  });

  it('no token: 401 Unauthorized Status; health stays open to probes', async () => {
    h = await startHarness((s) => addNode(s, { name: 'w-1' }));
    const res = await fetch(`${h.server.url}/api/v1/nodes`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    expect((await fetch(`${h.server.url}/readyz`)).status).toBe(200);
  });

  it("Drover's identity: a verb outside the role is 403 with the real Status", async () => {
    h = await startHarness((s) => addNode(s, { name: 'w-1' }));
    const res = await fetch(`${h.server.url}/apis/apps/v1/namespaces/kube-system/replicasets`, {
      headers: { Authorization: `Bearer ${h.server.droverToken}` },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'replicasets.apps is forbidden: User "system:serviceaccount:kube-system:drover" cannot list resource "replicasets" in API group "apps" in the namespace "kube-system"',
      reason: 'Forbidden',
      details: { group: 'apps', kind: 'replicasets' },
      code: 403,
    });
    // The adapter runs as that identity: a node's status is not Drover's to write.
    const patch = await fetch(`${h.server.url}/api/v1/nodes/w-1/status`, {
      method: 'PATCH',
      headers: {
        Authorization: `Bearer ${h.server.droverToken}`,
        'Content-Type': 'application/merge-patch+json',
      },
      body: '{}',
    });
    expect(patch.status).toBe(403);
    expect(await h.adapter.listNodes()).toHaveLength(1);
  });
});
