/**
 * The built `drover upgrade cattle` on a fresh checkout: the Terraform directory is a fresh copy
 * of a fixture with a backend block and no `.terraform/` (as CI checkouts are), so nothing works
 * before `terraform init`. The run must init once, then read the templates (its first Terraform
 * commands). Local backend and terraform_data only: no provider download, no network.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script without types
import { buildCli } from '../simulate/build-cli.mjs';
import { missingProgram } from '../helpers/programs.js';
import { startS3Server } from '../helpers/s3-server.js';
import type { S3TestServer } from '../helpers/s3-server.js';
import { machineConfigSecrets, startWorld } from './harness.js';
import type { World } from './harness.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/terraform/proxmox-like');
const skip = missingProgram('terraform');
if (skip) console.log(`skipping the built-CLI terraform init test: ${skip}`);

describe.skipIf(skip !== undefined)('drover upgrade on a fresh checkout (real terraform)', () => {
  let outdir: string;
  let cli: string;
  let world: World;
  let s3: S3TestServer;
  let tfdir: string;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'drover-tfinit-cli-'));
    cli = await (buildCli as (dir: string) => Promise<string>)(outdir);
    s3 = await startS3Server();
    tfdir = mkdtempSync(join(tmpdir(), 'drover-tfinit-checkout-'));
    cpSync(FIXTURE, tfdir, { recursive: true });
    world = await startWorld((text) =>
      text
        .replace('bucket: prox-ops-terraform-backups', `bucket: ${s3.bucket}`)
        .replace('endpoint: https://s3.10.20.66.5.nip.io', `endpoint: ${s3.endpoint}`)
        .replace('  dir: terraform\n', `  dir: ${tfdir}\n`),
    );
    writeFileSync(join(tfdir, 'empty.tfrc'), '');
  }, 120_000);

  afterAll(async () => {
    await world?.close();
    await s3?.stop();
    rmSync(outdir, { recursive: true, force: true });
    rmSync(tfdir, { recursive: true, force: true });
  });

  it('runs terraform init before its first Terraform command', async () => {
    expect(existsSync(join(tfdir, '.terraform'))).toBe(false);
    const audit = join(world.dir, 'audit.jsonl');
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
      (done, fail) => {
        const child = spawn(
          process.execPath,
          [
            cli,
            'upgrade',
            'cattle',
            '--config',
            world.config,
            '--to',
            '1.11.0',
            '--kubeconfig',
            world.kubeconfig,
            '--audit',
            audit,
            '--json',
          ],
          {
            cwd: world.dir,
            env: {
              PATH: process.env.PATH ?? '',
              CI: '1',
              ...machineConfigSecrets().env,
              ...s3.env,
              TF_CLI_CONFIG_FILE: join(tfdir, 'empty.tfrc'),
              CHECKPOINT_DISABLE: '1',
            },
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', fail);
        child.on('close', (status) => done({ status, stdout, stderr }));
      },
    );
    // The fixture is not the reference cluster: the run stops somewhere in the templates phase,
    // but never because the backend was not initialised.
    expect(run.stderr + run.stdout).not.toContain('Backend initialization required');
    expect(existsSync(join(tfdir, '.terraform'))).toBe(true);
    const calls = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { operation: string; result?: string });
    const reads = calls.filter((c) => c.operation === 'infrastructure.templateVersion');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((c) => c.result === 'ok')).toBe(true);
  }, 300_000);
});
