import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dryRun, machineConfigSecrets, startWorld, upgrade } from './harness.js';
import type { World } from './harness.js';

const NODES = [
  'k8s-ctrl-1',
  'k8s-ctrl-2',
  'k8s-ctrl-3',
  ...Array.from({ length: 12 }, (_, i) => `k8s-work-${i + 1}`),
];

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('drover upgrade --dry-run against the fake API server', () => {
  it('prints the plan for all 15 nodes with their live versions and changes nothing', async () => {
    world = await startWorld();
    const { env } = machineConfigSecrets();
    const before = world.cluster.store.snapshot();
    const rvBefore = world.cluster.store.resourceVersion;
    const summary = join(world.dir, 'step-summary.md');
    writeFileSync(summary, '');

    const run = await dryRun(
      world,
      { ...env, GITHUB_STEP_SUMMARY: summary },
      { report: join(world.dir, 'report.json') },
    );

    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('DRY RUN');
    for (const name of NODES)
      expect(run.stderr).toMatch(
        new RegExp(
          `\\b${name}\\s+\\w+\\s+\\w+\\s+True\\s+no\\s+1\\.10\\.8\\s+v?1\\.33\\.5\\s+upgrade`,
        ),
      );
    expect(run.stderr).toContain('0 of 15 nodes already run the target versions');
    expect(run.stderr).toContain('machine config "worker" is readable');

    const report = JSON.parse(run.stdout) as {
      dryRun: boolean;
      outcome: string;
      nodes: { name: string }[];
      preflight: { nodes: { name: string; talosVersion: string }[] };
    };
    expect(report.dryRun).toBe(true);
    expect(report.outcome).toBe('succeeded');
    expect(report.nodes.map((n) => n.name).sort()).toEqual([...NODES].sort());
    expect(report.preflight.nodes.every((n) => n.talosVersion === '1.10.8')).toBe(true);
    expect(JSON.parse(readFileSync(join(world.dir, 'report.json'), 'utf8'))).toEqual(report);
    expect(readFileSync(summary, 'utf8')).toContain('cattle');

    // Nothing changed: no write reached the store, no lease, no journal, no backup directory.
    expect(world.cluster.store.resourceVersion).toBe(rvBefore);
    expect(world.cluster.store.snapshot()).toEqual(before);
    expect(world.cluster.store.list('leases')).toEqual([]);
    expect(existsSync(join(world.dir, 'journal.jsonl'))).toBe(false);
    expect(existsSync(join(world.dir, 'backups'))).toBe(false);
    // The only requests were reads: the node list, and the Ceph pools the run would cap by.
    expect(Object.keys(world.server.requestCounts()).sort()).toEqual([
      'LIST cephblockpools',
      'LIST cephfilesystems',
      'LIST cephobjectstores',
      'LIST nodes',
    ]);
  });

  it('annotates the nodes already at the target as skipped, as the engine would', async () => {
    world = await startWorld();
    const { env } = machineConfigSecrets();
    world.cluster.store.mutate('nodes', undefined, 'k8s-work-5', (node) => {
      const info = (node.status as { nodeInfo: { osImage: string } }).nodeInfo;
      info.osImage = 'Talos (v1.11.0)';
    });
    const run = await dryRun(world, env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/k8s-work-5 .* 1\.11\.0 .* skip \(at target\)/);
    const report = JSON.parse(run.stdout) as {
      nodes: { name: string; steps: { id: string; message?: string }[] }[];
    };
    const node = report.nodes.find((n) => n.name === 'k8s-work-5');
    expect(node?.steps[0]?.message).toBe(
      'dry run: would skip: k8s-work-5 already runs Talos 1.11.0',
    );
  });

  it('stops with exit 2 when a machine config variable is missing, before anything else', async () => {
    world = await startWorld();
    const { env } = machineConfigSecrets();
    const run = await upgrade(
      'cattle',
      { config: world.config, to: '1.11.0', dryRun: true, kubeconfig: world.kubeconfig },
      { ...env, TALOS_WORKER_CONFIG_B64: undefined },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('TALOS_WORKER_CONFIG_B64');
  });

  it.each([
    ['an unknown kind', 'goats', {}, /not one of cattle, pets, kubernetes/],
    ['a refused route', 'cattle', { to: '1.9.0' }, /downgrade|DOWNGRADE/i],
  ] as const)('refuses %s before contacting the cluster', async (_name, kind, extra, message) => {
    world = await startWorld();
    const before = world.server.totalRequests();
    const run = await upgrade(kind, {
      config: world.config,
      to: '1.11.0',
      dryRun: true,
      kubeconfig: world.kubeconfig,
      ...extra,
    });
    expect(run.code).toBe(kind === 'goats' ? 2 : 3);
    expect(run.stderr).toMatch(message);
    expect(world.server.totalRequests()).toBe(before);
  });
});

describe('the inventory is checked against the live cluster first', () => {
  it.each([
    [
      'missing from the cluster',
      (w: World) => void w.cluster.store.delete('nodes', undefined, 'k8s-work-7'),
      'k8s-work-7',
    ],
    [
      'unknown to the config',
      (w: World) =>
        void w.cluster.store.create('nodes', {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'k8s-work-13' },
          spec: {},
          status: {},
        }),
      'k8s-work-13',
    ],
  ])('a node %s: exit 2 naming it, for a dry run and a real run', async (_case, edit, name) => {
    world = await startWorld();
    edit(world);
    const { env } = machineConfigSecrets();
    for (const dryRun of [true, false]) {
      const run = await upgrade(
        'pets',
        {
          config: world.config,
          to: '1.10.9',
          dryRun,
          json: true,
          kubeconfig: world.kubeconfig,
          journal: join(world.dir, 'j.jsonl'),
        },
        env,
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('INVENTORY_MISMATCH');
      expect(run.stderr).toContain(name);
      const doc = JSON.parse(run.stdout) as { error: { code: string } };
      expect(doc.error.code).toBe('INVENTORY_MISMATCH');
    }
    // Not even the real run took the lock, cordoned or journaled (the world itself may react
    // to the deleted node, so the store's version is no measure here).
    const writes = Object.keys(world.server.requestCounts()).filter(
      (k) => !/^(GET|LIST|WATCH) /.test(k),
    );
    expect(writes).toEqual([]);
    expect(world.cluster.store.list('leases')).toEqual([]);
    expect(existsSync(join(world.dir, 'j.jsonl'))).toBe(false);
  });
});
