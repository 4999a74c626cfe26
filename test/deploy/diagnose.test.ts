/**
 * `drover diagnose` against the fake Kubernetes API server of the simulated reference cluster:
 * the bundle holds the live nodes, and no secret from the environment, the journal or the
 * report reaches it. talosctl is not installed here (or is whatever PATH has): the etcd
 * sections are then recorded as unknown, never as healthy.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/cli/diagnose/run-diagnose.js';
import { findLeaks, machineConfigSecrets, startWorld } from '../upgrade/harness.js';
import type { World } from '../upgrade/harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('drover diagnose', () => {
  it('writes the nodes and the journal tail, secrets redacted, failed reads as unknown', async () => {
    world = await startWorld();
    // The environment's secrets, whole values (machine configs too). The values inside a
    // machine config are registered only by a run that reads the configs; diagnose reads none,
    // and the journal and report it copies were redacted by the run that wrote them.
    const { env } = machineConfigSecrets();
    const values = Object.values(env);
    const journal = join(world.dir, 'journal.jsonl');
    writeFileSync(
      journal,
      `${JSON.stringify({ type: 'run-started', at: 1, runId: 'r1', kind: 'cattle', to: '1.11.0' })}\n` +
        `${JSON.stringify({ type: 'note', at: 2, runId: 'r1', message: `leaked ${env.AWS_SECRET_ACCESS_KEY}` })}\n`,
    );
    const report = join(world.dir, 'report.json');
    writeFileSync(report, JSON.stringify({ outcome: 'failed', error: `key ${env.SOPS_AGE_KEY}` }));
    const out = join(world.dir, 'bundle');
    const result = await diagnose(
      {
        config: world.config,
        out,
        journal,
        report,
        kubeconfig: world.kubeconfig,
        talosconfig: join(world.dir, 'none'),
      },
      { ...env, PATH: process.env.PATH },
    );
    const text = readFileSync(join(out, 'diagnose.json'), 'utf8');
    const bundle = JSON.parse(text) as typeof result.bundle;
    expect(bundle.nodes.ok && bundle.nodes.data.length).toBe(15);
    expect(bundle.journalTail.ok && bundle.journalTail.data).toHaveLength(2);
    expect(bundle.report.ok).toBe(true);
    for (const name of ['etcdMembers', 'etcdStatus'] as const) {
      const s = bundle[name];
      if (!s.ok) expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/\*\*unknown\*\*/);
    }
    expect(findLeaks({ bundle: text, summary: result.summary }, values)).toEqual([]);
    expect(statSync(join(out, 'diagnose.json')).mode & 0o777).toBe(0o600);
  }, 60_000);
});
