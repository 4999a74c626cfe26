/**
 * Invariant no-secret-leaks: no secret in any output, the journal, the report or the audit log. A simulated
 * cattle upgrade (every machine config served), a dry run and a real run that fails part-way
 * (journal and audit written) are captured whole and scanned for every secret value they used.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedCluster, referenceScenario } from '../../src/adapters/simulated/index.js';
import { simulateAndReport } from '../../src/cli/simulate/simulate-and-report.js';
import { PlainReporter } from '../../src/cli/progress/index.js';
import { upgradeCommand } from '../../src/cli/upgrade/run-upgrade-command.js';
import { startS3Server } from '../helpers/s3-server.js';
import { dryRun, findLeaks, machineConfigSecrets, skippingClock, startWorld } from './harness.js';
import type { World } from './harness.js';

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('no secret leaves the process', () => {
  it('finds a planted value (the scanner itself works)', () => {
    expect(findLeaks({ out: 'a s3cr3t-value b' }, ['s3cr3t-value'])).toEqual(['out: s3cr3t-value']);
  });

  it('drover simulate: output, journal, report and audit log hold none of the served secrets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drover-leak-'));
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
    const files = {
      journal: join(dir, 'journal.jsonl'),
      report: join(dir, 'report.json'),
      audit: join(dir, 'audit.jsonl'),
      world: join(dir, 'world.json'),
    };
    let stdout = '';
    let stderr = '';
    const progress = new PlainReporter((line) => void (stderr += line));
    const result = await simulateAndReport(
      {
        seed: 1,
        json: true,
        resume: false,
        api: 'memory',
        journalFile: files.journal,
        reportFile: files.report,
        auditFile: files.audit,
        worldFile: files.world,
      },
      {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        reporter: { event: (e) => progress.event(e), flush: async () => undefined },
        crash: () => {
          throw new Error('no crash in this test');
        },
      },
    );
    expect(result.exitCode).toBe(0);

    const saved = await createSimulatedCluster({
      scenario: referenceScenario(),
      seed: 1,
      worldFile: files.world,
    });
    const secrets = saved.secretValues();
    await saved.close();
    expect(secrets.length).toBeGreaterThan(0);

    const texts = {
      stdout,
      stderr,
      journal: read(files.journal),
      report: read(files.report),
      reportMarkdown: read(join(dir, 'report.md')),
      audit: read(files.audit),
    };
    // The run really wrote them (machine configs were applied and audited).
    expect(texts.journal).toContain('apply-config');
    expect(texts.audit).toContain('secrets.machineConfig');
    expect(texts.report.length).toBeGreaterThan(1000);
    expect(findLeaks(texts, secrets)).toEqual([]);
  });

  describe('drover upgrade with machine configs and credentials in the environment', () => {
    let world: World;
    const start = async () => {
      world = await startWorld();
      cleanup = () => world.close();
    };

    it('a dry run (report, step summary, JSON) leaks none of them', async () => {
      await start();
      const { env, values } = machineConfigSecrets();
      const summary = join(world.dir, 'summary.md');
      writeFileSync(summary, '');
      const run = await dryRun(
        world,
        { ...env, GITHUB_STEP_SUMMARY: summary },
        { report: join(world.dir, 'report.json') },
      );
      expect(run.code).toBe(0);
      const texts = {
        stdout: run.stdout,
        stderr: run.stderr,
        report: read(join(world.dir, 'report.json')),
        reportMarkdown: read(join(world.dir, 'report.md')),
        summary: read(summary),
      };
      expect(findLeaks(texts, [...values, world.server.token])).toEqual([]);
    });

    it('under GitHub Actions each secret is masked (on stderr with --json) and stdout stays one JSON document', async () => {
      await start();
      const { env } = machineConfigSecrets();
      const run = await dryRun(world, { ...env, GITHUB_ACTIONS: 'true' });
      expect(run.code).toBe(0);
      expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
      expect(run.stderr).toContain(`::add-mask::${env.AWS_SECRET_ACCESS_KEY}`);
      expect(run.stderr).toContain(`::add-mask::${env.TALOS_WORKER_CONFIG_B64}`);
    });

    it('a real run that fails part-way leaks none of them into output, journal (local and S3), report or audit', async () => {
      const s3 = await startS3Server();
      world = await startWorld((text) =>
        text
          .replace('bucket: prox-ops-terraform-backups', `bucket: ${s3.bucket}`)
          .replace('endpoint: https://s3.10.20.66.5.nip.io', `endpoint: ${s3.endpoint}`),
      );
      cleanup = async () => {
        await world.close();
        await s3.stop();
      };
      const { env, values } = machineConfigSecrets();
      const files = {
        journal: join(world.dir, 'journal.jsonl'),
        report: join(world.dir, 'report.json'),
        audit: join(world.dir, 'audit.jsonl'),
      };
      let stdout = '';
      let stderr = '';
      const progress = new PlainReporter((line) => void (stderr += line));
      const code = await upgradeCommand(
        'cattle',
        {
          config: world.config,
          to: '1.11.0',
          dryRun: false,
          resume: true,
          json: true,
          kubeconfig: world.kubeconfig,
          // terraform is not on this PATH: the first template rebuild fails and the run stops.
          talosconfig: join(world.dir, 'talosconfig'),
          journal: files.journal,
          report: files.report,
          audit: files.audit,
        },
        {
          stdout: (t) => void (stdout += t),
          stderr: (t) => void (stderr += t),
          // s3rver knows only its own key pair.
          env: { ...env, ...s3.env, PATH: join(world.dir, 'no-bin') },
          reporter: { event: (e) => progress.event(e), flush: async () => undefined },
          clock: skippingClock(),
        },
      );
      // Both machine configs were read (into memory) before the run started.
      expect(stderr).toContain('machine config "controlplane" is readable');
      expect(code).toBe(1);
      expect(stderr).toContain('holds no run; starting a fresh one');
      const texts = {
        stdout,
        stderr,
        journal: read(files.journal),
        report: read(files.report),
        reportMarkdown: read(join(world.dir, 'report.md')),
        audit: read(files.audit),
        s3: filesUnder(s3.directory).map(read).join('\n'),
      };
      expect(texts.journal).toContain('run-started');
      // The S3 copy of the journal holds the same run.
      expect(texts.s3).toContain('run-finished');
      expect(texts.journal).toContain('run-finished');
      expect(JSON.parse(stdout)).toMatchObject({
        kind: 'cattle',
        outcome: 'failed',
        failure: { code: 'EXEC_NOT_FOUND' },
      });
      expect(findLeaks(texts, [...values, ...Object.values(s3.env), world.server.token])).toEqual(
        [],
      );
      // The lock was released: the lease has no holder.
      const lease = world.cluster.store.get('leases', 'kube-system', 'drover-upgrade');
      expect((lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity ?? '').toBe(
        '',
      );
    });
  });
});
