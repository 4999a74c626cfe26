/** The built `drover` command end to end: commander flags, exit codes, stdout/stderr split. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without types
import { buildCli } from '../simulate/build-cli.mjs';
import { findLeaks, machineConfigSecrets, startWorld } from './harness.js';
import type { World } from './harness.js';

let outdir: string;
let cli: string;
let world: World;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'drover-upgrade-cli-'));
  await (buildCli as (dir: string, entry: string) => Promise<void>)(
    outdir,
    resolve(import.meta.dirname, '../../src/cli/main.ts'),
  );
  cli = join(outdir, 'cli.js');
  world = await startWorld();
}, 60_000);

afterAll(async () => {
  await world?.close();
  rmSync(outdir, { recursive: true, force: true });
});

function drover(args: string[], env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: world.dir,
      env: { PATH: process.env.PATH ?? '', CI: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

describe('node <bin> upgrade / validate', () => {
  it('upgrade cattle --dry-run --json: exit 0, one JSON document, all 15 nodes, the store unchanged', async () => {
    const { env, values } = machineConfigSecrets();
    const before = world.cluster.store.snapshot();
    const args = ['upgrade', 'cattle', '--config', world.config, '--to', '1.11.0'];
    const run = await drover(
      [...args, '--dry-run', '--json', '--kubeconfig', world.kubeconfig],
      env,
    );
    expect(run.stderr).toContain('DRY RUN');
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { dryRun: boolean; nodes: unknown[] };
    expect(report.dryRun).toBe(true);
    expect(report.nodes).toHaveLength(15);
    expect(world.cluster.store.snapshot()).toEqual(before);
    expect(findLeaks({ stdout: run.stdout, stderr: run.stderr }, values)).toEqual([]);
  });

  it('an unknown kind is bad usage (exit 2) naming the allowed kinds', async () => {
    const run = await drover(
      ['upgrade', 'goats', '--config', world.config, '--to', '1.11.0', '--dry-run'],
      {},
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('cattle, pets, kubernetes');
  });

  it('validate: exit 0 on the reference cluster', async () => {
    const run = await drover(
      ['validate', '--config', world.config, '--kubeconfig', world.kubeconfig, '--json'],
      {},
    );
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, cluster: 'prox-ops' });
  });
});
