/**
 * The fake API server checked by a client nobody here wrote: kubectl sees the same world as the
 * store, cordons and uncordons through it, and its drain honours a PodDisruptionBudget exactly
 * as on a real cluster (429, retry every 5 s, success once the budget allows). Skips with a
 * printed reason where kubectl is absent.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/adapters/exec/exec.js';
import {
  startFakeApiServer,
  type FakeApiServer,
} from '../../src/adapters/simulated/kube/http/server.js';
import { KubeStore } from '../../src/adapters/simulated/kube/store.js';
import { addNode, addPdb, addPod, addWorkload, setPdbStatus } from '../helpers/kube-fixtures.js';
import { until } from '../helpers/kube-http-harness.js';
import { missingProgram } from '../helpers/programs.js';

const missing = missingProgram('kubectl', ['version', '--client']);
const TLS = join(import.meta.dirname, '..', 'fixtures', 'fake-apiserver-tls');

describe.skipIf(missing !== undefined)('kubectl against the fake API server', () => {
  let store: KubeStore;
  let server: FakeApiServer;
  let dir: string;
  let kubeconfig: string;
  let anonymous: string;
  let stopKubelet: () => void;

  beforeAll(async () => {
    store = new KubeStore(() => Date.now());
    for (const name of ['cp-1', 'w-1', 'w-2'])
      addNode(store, { name, controlPlane: name === 'cp-1' });
    const rs = { kind: 'ReplicaSet', name: 'web-5f6' };
    addPod(store, {
      namespace: 'apps',
      name: 'web-1',
      node: 'w-1',
      labels: { app: 'web' },
      owner: rs,
    });
    addPod(store, {
      namespace: 'apps',
      name: 'web-2',
      node: 'w-2',
      labels: { app: 'web' },
      owner: rs,
    });
    addPod(store, {
      namespace: 'apps',
      name: 'cache-0',
      node: 'w-1',
      emptyDir: true,
      owner: { kind: 'StatefulSet', name: 'cache' },
    });
    addPod(store, {
      namespace: 'kube-system',
      name: 'cilium-w1',
      node: 'w-1',
      owner: { kind: 'DaemonSet', name: 'cilium' },
    });
    // History a drain deletes without --force: a finished bare pod (kubectl's filters pass it).
    addPod(store, { namespace: 'apps', name: 'migrate-done', node: 'w-1', phase: 'Succeeded' });
    addWorkload(store, 'DaemonSet', 'kube-system', 'cilium', 3, 3);
    addPdb(
      store,
      'apps',
      'web',
      { app: 'web' },
      { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2 },
    );
    // The kubelet's part: a pod marked for deletion is gone shortly after.
    stopKubelet = store.subscribe((e) => {
      if (e.resource !== 'pods' || !e.object.metadata.deletionTimestamp) return;
      const { namespace, name } = e.object.metadata;
      setTimeout(
        () => store.get('pods', namespace, name) && store.delete('pods', namespace, name),
        50,
      );
    });
    // kubectl sends a bearer token only over TLS: a test-only self-signed certificate.
    server = await startFakeApiServer({
      store,
      now: () => Date.now(),
      tls: {
        key: readFileSync(join(TLS, 'key.pem'), 'utf8'),
        cert: readFileSync(join(TLS, 'cert.pem'), 'utf8'),
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'drover-kubectl-'));
    // Drover's own identity: exactly the ClusterRole of docs/kubernetes.md.
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfigYaml, { mode: 0o600 });
    anonymous = join(dir, 'anonymous');
    // An unknown token (kubectl would prompt for a password with none at all).
    writeFileSync(anonymous, server.kubeconfigYaml.replace(server.droverToken, 'not-a-token'), {
      mode: 0o600,
    });
  });

  afterAll(async () => {
    stopKubelet?.();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const kubectl = (args: string[], timeoutMs = 20_000, config = kubeconfig) =>
    exec({
      file: 'kubectl',
      args: ['--kubeconfig', config, ...args],
      timeoutMs,
      env: { KUBECONFIG: undefined, HOME: dir },
    });

  it('sees the same nodes and pods as the store', async () => {
    const nodes = await kubectl(['get', 'nodes', '-o', 'json']);
    expect(nodes.exitCode, nodes.stderr).toBe(0);
    const names = (
      JSON.parse(nodes.stdout) as { items: { metadata: { name: string } }[] }
    ).items.map((n) => n.metadata.name);
    expect(names).toEqual(
      store
        .list('nodes')
        .map((n) => n.metadata.name)
        .sort(),
    );
    const table = await kubectl(['get', 'nodes']);
    expect(table.stdout).toMatch(/^w-1\s+Ready\s+<none>\s+\S+\s+v1\.33\.5$/m);
    const pods = await kubectl(['get', 'pods', '-A', '-o', 'wide']);
    expect(pods.exitCode, pods.stderr).toBe(0);
    for (const pod of store.list('pods').filter((p) => p.status?.phase === 'Running')) {
      expect(pods.stdout).toMatch(
        new RegExp(
          `^${pod.metadata.namespace}\\s+${pod.metadata.name}\\s+1/1\\s+Running\\s.*\\s${String(pod.spec?.nodeName)}\\s`,
          'm',
        ),
      );
    }
    const onNode = await kubectl([
      'get',
      'pods',
      '-A',
      '--field-selector',
      'spec.nodeName=w-2',
      '-o',
      'name',
    ]);
    expect(onNode.stdout.trim()).toBe('pod/web-2');
  });

  it('cordons and uncordons', async () => {
    expect((await kubectl(['cordon', 'w-2'])).stdout).toContain('node/w-2 cordoned');
    expect(store.get('nodes', undefined, 'w-2')?.spec?.unschedulable).toBe(true);
    expect((await kubectl(['get', 'node', 'w-2'])).stdout).toContain('Ready,SchedulingDisabled');
    expect((await kubectl(['uncordon', 'w-2'])).stdout).toContain('node/w-2 uncordoned');
    expect(store.get('nodes', undefined, 'w-2')?.spec?.unschedulable).toBeUndefined();
    expect(server.requestCounts()['PATCH nodes']).toBe(2);
  });

  it('drains a node while a PDB blocks, and finishes once the budget allows', async () => {
    const drain = kubectl(
      ['drain', 'w-1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=45s'],
      60_000,
    );
    // kubectl meets the 429, sleeps 5 s and retries; meanwhile another replica becomes Ready.
    await until(() => (server.requestCounts()['POST eviction'] ?? 0) >= 2, 20_000);
    expect(store.get('pods', 'apps', 'web-1')?.metadata.deletionTimestamp).toBeUndefined();
    addPod(store, {
      namespace: 'apps',
      name: 'web-3',
      node: 'w-2',
      labels: { app: 'web' },
      owner: { kind: 'ReplicaSet', name: 'web-5f6' },
    });
    setPdbStatus(store, 'apps', 'web', {
      currentHealthy: 3,
      expectedPods: 3,
      disruptionsAllowed: 1,
    });
    const result = await drain;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "Cannot evict pod as it would violate the pod's disruption budget.",
    );
    expect(result.stdout).toContain('evicting pod apps/web-1');
    expect(result.stdout).toContain('node/w-1 drained');
    expect(store.get('nodes', undefined, 'w-1')?.spec?.unschedulable).toBe(true);
    expect(store.get('pods', 'apps', 'web-1')).toBeUndefined();
    expect(store.get('pods', 'apps', 'cache-0')).toBeUndefined();
    expect(store.get('pods', 'apps', 'migrate-done')).toBeUndefined();
    expect(store.get('pods', 'kube-system', 'cilium-w1')).toBeDefined();
    expect(
      store.get('policy/poddisruptionbudgets', 'apps', 'web')?.status?.disruptedPods,
    ).toHaveProperty('web-1');
    // cache-0 once, web-1 at least twice (blocked, then evicted).
    expect(server.requestCounts()['POST eviction']).toBeGreaterThanOrEqual(3);
  }, 70_000);

  it('an unknown token: 401', async () => {
    const r = await kubectl(['get', 'nodes'], 20_000, anonymous);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });

  it('outside the documented role: 403 with the real Status text', async () => {
    const r = await kubectl(['delete', 'node', 'w-2']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      'Error from server (Forbidden): nodes "w-2" is forbidden: User "system:serviceaccount:kube-system:drover" cannot delete resource "nodes" in API group "" at the cluster scope',
    );
    expect(store.get('nodes', undefined, 'w-2')).toBeDefined();
  });

  it('kubectl auth can-i answers from the role (SelfSubjectAccessReview)', async () => {
    const yes = await kubectl([
      'auth',
      'can-i',
      'create',
      'pods',
      '--subresource=eviction',
      '-n',
      'apps',
    ]);
    expect([yes.exitCode, yes.stdout.trim()]).toEqual([0, 'yes']);
    const watch = await kubectl(['auth', 'can-i', 'watch', 'nodes']);
    expect([watch.exitCode, watch.stdout.trim()]).toEqual([0, 'yes']);
    const no = await kubectl(['auth', 'can-i', 'update', 'nodes', '--subresource=status']);
    expect([no.exitCode, no.stdout.trim()]).toEqual([1, 'no']);
    const secrets = await kubectl(['auth', 'can-i', 'get', 'secrets', '-n', 'kube-system']);
    expect(secrets.stdout.trim()).toBe('no');
  });

  it('kubectl auth can-i --list lists the role (SelfSubjectRulesReview)', async () => {
    const r = await kubectl(['auth', 'can-i', '--list']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/m);
    expect(r.stdout).toMatch(/^pods\/eviction\s+\[\]\s+\[\]\s+\[create\]$/m);
    expect(r.stdout).toMatch(
      /^leases\.coordination\.k8s\.io\s+\[\]\s+\[\]\s+\[get create update\]$/m,
    );
    expect(r.stdout).toMatch(/^\s+\[\/readyz\]\s+\[\]\s+\[get\]$/m);
  });
});
