/**
 * End to end through the built command, in real processes: --json prints exactly one document,
 * exit codes, a second run refused while the first holds the lock, and crash (SIGKILL) after
 * every step of one control plane node's cycle, then --resume in a new process.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulatedCluster, referenceScenario } from '../../src/adapters/simulated/index.js';
import { buildPlan } from '../../src/core/plan-build.js';
import type { UpgradeReport } from '../../src/core/report.js';
import { runCli, runCliAsync, tempDir } from './helpers.js';

let cli: string;

beforeAll(async () => {
  // @ts-expect-error: a plain .mjs build script without type declarations
  const { buildCli } = (await import('./build-cli.mjs')) as {
    buildCli: (out: string) => Promise<string>;
  };
  cli = await buildCli(tempDir());
}, 120_000);

describe('drover simulate, as a process', () => {
  it('--json prints exactly one JSON document on stdout, human output on stderr, exit 0', () => {
    const dir = tempDir();
    const r = runCli(
      cli,
      ['--json', '--report', join(dir, 'report.json'), '--audit', join(dir, 'audit.jsonl')],
      dir,
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as UpgradeReport;
    expect(report.outcome).toBe('succeeded');
    expect(report.violations).toEqual([]);
    expect(r.stderr).toContain('Drover cattle upgrade');
    expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual(report);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toContain('| k8s-work-12 |');
    const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { operation: string });
    expect(audit.some((a) => a.operation === 'infrastructure.apply')).toBe(true);
  }, 120_000);

  it('bad usage exits 2', () => {
    const r = runCli(cli, ['--seed', 'x'], tempDir());
    expect(r.status).toBe(2);
    const resume = runCli(cli, ['--resume'], tempDir());
    expect(resume.status).toBe(2);
    expect(resume.stderr).toContain('JOURNAL_REQUIRED');
    const noWorld = runCli(cli, ['--resume', '--journal', 'j.jsonl'], tempDir());
    expect(noWorld.status).toBe(2);
    expect(noWorld.stderr).toContain('WORLD_REQUIRED');
  }, 60_000);
});

function cycleLength(): Promise<{ before: number; steps: string[] }> {
  return createSimulatedCluster({ scenario: referenceScenario(), seed: 1 }).then(
    async (cluster) => {
      const plan = buildPlan('cattle', {
        inventory: cluster.inventory,
        policy: cluster.policy,
        from: cluster.from,
        to: cluster.to,
      });
      await cluster.close();
      const before = plan.phases.find((p) => p.id === 'templates')!.steps.length;
      const steps = plan.phases
        .find((p) => p.id === 'control-plane')!
        .units[0]!.steps.map((s) => s.id);
      return { before, steps };
    },
  );
}

/** Starts simulate and sends SIGTERM once stderr shows `marker`; resolves with the exit status and stdout. */
function terminateWhen(
  args: string[],
  cwd: string,
  marker: string,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'simulate', ...args], {
      cwd,
      env: { ...process.env, CI: '1' },
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!sent && stderr.includes(marker)) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('cancellation', () => {
  it('SIGTERM ends the run as aborted (exit 1) at a step boundary; --resume then finishes it', async () => {
    const dir = tempDir();
    const world = join(dir, 'world.json');
    const journal = join(dir, 'journal.jsonl');
    const args = ['--world', world, '--journal', journal, '--json'];
    const aborted = await terminateWhen(args, dir, 'k8s-ctrl-2: Cordon');
    expect(aborted.status, aborted.stderr).toBe(1);
    const report = JSON.parse(aborted.stdout) as UpgradeReport;
    expect(report.outcome).toBe('aborted');
    expect(report.failure?.category).toBe('aborted');
    expect(report.violations).toEqual([]);
    expect(report.nodes.find((n) => n.name === 'k8s-ctrl-3')?.outcome).toBe('not-started');
    const resumed = await runCliAsync(cli, [...args, '--resume'], dir);
    expect(resumed.status, resumed.stderr).toBe(0);
    const done = JSON.parse(resumed.stdout) as UpgradeReport;
    expect(done.violations).toEqual([]);
    expect(done.nodes.every((n) => n.vmReplacements === 1)).toBe(true);
  }, 300_000);
});

const plan = await cycleLength();

describe('crash and resume', () => {
  // client-go's rule (kubernetes-api-semantics.md section 5): a runner that has just looked
  // has seen nothing expire; it takes over only once the record went unchanged for a whole
  // leaseDurationSeconds on its own clock. A crashed holder never renews, so that comes.
  it("a second run takes over a crashed run's lease only after watching it unchanged for its TTL", async () => {
    const dir = tempDir();
    const world = join(dir, 'world.json');
    const journal = join(dir, 'journal.jsonl');
    const crashed = runCli(
      cli,
      ['--world', world, '--journal', journal, '--crash-after-steps', '9'],
      dir,
    );
    expect(crashed.signal).toBe('SIGKILL');
    const second = runCli(
      cli,
      ['--world', world, '--journal', join(dir, 'other.jsonl'), '--json'],
      dir,
    );
    expect(second.stderr).toContain('took over the cluster lock from drover-simulate/sim-1-');
    const doc = JSON.parse(second.stdout) as UpgradeReport;
    expect(doc.violations).toEqual([]);
    expect(second.status).toBe(0);
  }, 120_000);

  // Each pair persists the world after every event (mostly waiting on disk): pairs overlap,
  // up to vitest's maxConcurrency at once.
  it.concurrent.each(plan.steps.map((id, i) => [id, plan.before + i + 1] as const))(
    'killed after %s, then --resume in a new process: every VM replaced exactly once, zero violations',
    async (_stepId, n) => {
      const dir = tempDir();
      const world = join(dir, 'world.json');
      const journal = join(dir, 'journal.jsonl');
      const crashed = await runCliAsync(
        cli,
        ['--world', world, '--journal', journal, '--crash-after-steps', String(n)],
        dir,
      );
      expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
      expect(existsSync(world)).toBe(true);
      const resumed = await runCliAsync(
        cli,
        ['--world', world, '--journal', journal, '--resume', '--json'],
        dir,
      );
      expect(resumed.status, resumed.stderr).toBe(0);
      const report = JSON.parse(resumed.stdout) as UpgradeReport;
      expect(report.outcome).toBe('succeeded');
      expect(report.resumed).toBe(true);
      expect(report.violations).toEqual([]);
      expect(
        report.nodes.map((x) => [x.name, x.vmReplacements]).filter(([, c]) => c !== 1),
      ).toEqual([]);
    },
    300_000,
  );
});

describe('crash faults, --advance and --chaos, as a process', () => {
  it('a crash fault at k8s-work-2’s replace kills the process (SIGKILL) after saving the world; --resume --advance 1h finishes', async () => {
    const dir = tempDir();
    const scenario = join(dir, 'crash.yaml');
    writeFileSync(
      scenario,
      'base: reference\nname: crash-at-replace\nfaults:\n  - type: crash\n    when: { request: replace-vm, node: k8s-work-2 }\n',
    );
    const args = [
      '--scenario',
      scenario,
      '--world',
      join(dir, 'w.json'),
      '--journal',
      join(dir, 'j.jsonl'),
    ];
    const crashed = await runCliAsync(cli, args, dir);
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const resumed = await runCliAsync(cli, [...args, '--resume', '--advance', '1h', '--json'], dir);
    expect(resumed.status, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout) as UpgradeReport;
    expect(report.violations).toEqual([]);
    expect(report.nodes.filter((n) => n.vmReplacements !== 1).map((n) => n.name)).toEqual([]);
  }, 300_000);

  it('--chaos SEED prints the drawn faults and one JSON report; bad --advance, --seed and --to are exit 2', async () => {
    const dir = tempDir();
    const r = await runCliAsync(cli, ['--chaos', '3', '--json'], dir);
    expect([0, 1, 3]).toContain(r.status);
    expect(r.stderr).toContain('Chaos 3: ');
    const report = JSON.parse(r.stdout) as UpgradeReport;
    expect(report.violations).toEqual([]);
    for (const bad of [
      ['--advance', 'soon'],
      ['--seed', '4294967296'],
      ['--to', 'latest'],
    ]) {
      const b = await runCliAsync(cli, bad, dir);
      expect(b.status, bad.join(' ')).toBe(2);
    }
  }, 300_000);
});
