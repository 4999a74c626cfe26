/**
 * Terraform and Proxmox as they really behave (issues 10 and 11), end to end through simulate:
 * pinned VMIDs, node modules holding bootstrap resources, templates referenced by clones, lock
 * errors that are not locks, a lock held by someone else, a backup that reads back different.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../src/adapters/simulated/scenario/schema.js';
import type { UpgradeReport } from '../../src/core/report.js';
// @ts-expect-error: a plain .mjs build script without types
import { buildCli } from './build-cli.mjs';
import { runCliAsync, scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

const stepOutcome = (report: UpgradeReport, node: string, step: string) =>
  report.nodes.find((n) => n.name === node)?.steps.find((s) => s.name === step)?.outcome;

async function withFaults(
  name: string,
  faults: NonNullable<ScenarioInput['faults']>,
  terraform: ScenarioInput['terraform'] = undefined,
) {
  const file = scenarioFile(dir, name, (s) => {
    (s as { faults: unknown[] }).faults = faults;
    if (terraform) (s as { terraform: unknown }).terraform = { ...s.terraform, ...terraform };
  });
  return simulateInProcess({ scenarioFile: file });
}

describe('cattle against Terraform as it really behaves', () => {
  it('pinned VMIDs, bootstrap resources in the node modules, re-numbered templates: every VM replaced once, zero violations', async () => {
    const { exitCode, report } = await simulateInProcess({
      scenarioFile: join('examples', 'terraform-pinned-bootstrap.yaml'),
    });
    expect(report.violations).toEqual([]);
    expect(exitCode, JSON.stringify(report.failure)).toBe(0);
    expect(report.nodes).toHaveLength(15);
    expect(report.nodes.every((n) => n.outcome === 'succeeded' && n.vmReplacements === 1)).toBe(
      true,
    );
    // The templates phase says what happened to the template VM IDs.
    const rebuilds = report.clusterSteps.filter((s) => s.id.startsWith('template/'));
    expect(rebuilds.length).toBeGreaterThan(0);
    for (const step of rebuilds)
      expect(step.message).toMatch(/under a new VM ID .* -target'ed plan/);
  });

  it.each([2, 3, 4, 5, 6])(
    'the example with seed %i: succeeds, every VM once, zero violations',
    async (seed) => {
      const { exitCode, report } = await simulateInProcess({
        scenarioFile: join('examples', 'terraform-pinned-bootstrap.yaml'),
        seed,
      });
      expect(report.violations).toEqual([]);
      expect(exitCode).toBe(0);
      expect(report.nodes.every((n) => n.vmReplacements === 1)).toBe(true);
    },
  );

  it('templates that keep their VM ID say so', async () => {
    const file = scenarioFile(dir, 'pinned-templates', (s) => {
      (s as { terraform: unknown }).terraform = { ...s.terraform, templateVmIds: 'pinned' };
    });
    const { exitCode, report } = await simulateInProcess({ scenarioFile: file });
    expect(exitCode).toBe(0);
    for (const step of report.clusterSteps.filter((s) => s.id.startsWith('template/')))
      expect(step.message).toMatch(/VM ID \d+ was kept/);
  });

  it('a control plane plan that would recreate talos_machine_bootstrap is refused before etcd-leave: etcd untouched', async () => {
    const { exitCode, report } = await withFaults(
      'cp-bootstrap',
      [
        {
          type: 'plan-changes-module-resource',
          node: 'k8s-ctrl-2',
          resource: 'talos_machine_bootstrap.this',
        },
      ],
      { nodeModuleResources: ['talos_machine_bootstrap.this'] },
    );
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(3);
    expect(report.failure?.stepId).toBe('k8s-ctrl-2/check-replace-plan');
    expect(report.failure?.code).toBe('PLAN_SCOPE');
    expect(stepOutcome(report, 'k8s-ctrl-2', 'etcd-leave')).toBeUndefined();
    expect(report.nodes.find((n) => n.name === 'k8s-ctrl-2')?.vmReplacements).toBe(0);
  });

  it('a worker plan that would recreate a random_* resource in its module is refused before apply', async () => {
    const { exitCode, report } = await withFaults(
      'worker-random',
      [
        {
          type: 'plan-changes-module-resource',
          node: 'k8s-work-3',
          resource: 'random_password.token',
        },
      ],
      { nodeModuleResources: ['random_password.token'] },
    );
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(3);
    expect(report.failure?.stepId).toBe('k8s-work-3/replace-vm');
    expect(report.nodes.find((n) => n.name === 'k8s-work-3')?.vmReplacements).toBe(0);
  });

  it('a fresh checkout (backend not initialised): the run inits Terraform first and succeeds', async () => {
    const file = scenarioFile(dir, 'fresh-checkout', (s) => {
      (s as { terraform: unknown }).terraform = { ...s.terraform, initialised: false };
    });
    const { exitCode, report } = await simulateInProcess({ scenarioFile: file });
    expect(report.violations).toEqual([]);
    expect(exitCode, JSON.stringify(report.failure)).toBe(0);
  });

  it('a lock error that is not a lock (S3 AccessDenied, no Lock Info) fails at once, no retry', async () => {
    const { exitCode, report } = await withFaults('lock-access-denied', [
      { type: 'tf-lock-error', fromSeconds: 0 },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.failure?.code).toBe('TF_STATE_LOCK_ERROR');
    expect(report.nodes.every((n) => n.vmReplacements === 0)).toBe(true);
  });

  it('a state lock someone else holds for a while is waited out (retried); the run succeeds', async () => {
    const { exitCode, report } = await withFaults('lock-held-briefly', [
      { type: 'tf-lock-held', who: 'alice@laptop', fromSeconds: 0, untilSeconds: 20 },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode, JSON.stringify(report.failure)).toBe(0);
  });

  it('a state lock held forever by someone else: the run stops, nothing replaced', async () => {
    const { exitCode, report } = await withFaults('lock-held-forever', [
      { type: 'tf-lock-held', who: 'alice@laptop', fromSeconds: 0 },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.failure?.code).toBe('TF_STATE_LOCKED');
    expect(report.nodes.every((n) => n.vmReplacements === 0)).toBe(true);
  });

  it('a backup store that reads back different bytes: BACKUP_MISMATCH, no VM destroyed', async () => {
    const { exitCode, report } = await withFaults('backup-different', [
      { type: 'backup-reads-back-different', times: 'always' },
    ]);
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(1);
    expect(report.failure?.code).toBe('BACKUP_MISMATCH');
    expect(report.nodes.every((n) => n.vmReplacements === 0)).toBe(true);
  });
});

describe('a runner killed inside terraform apply, then --resume (built command)', () => {
  let cli: string;
  const outdir = tempDir();
  beforeAll(async () => {
    cli = await (buildCli as (dir: string) => Promise<string>)(outdir);
  }, 120_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it.each([9, 11, 13])(
    'pinned VMIDs and bootstrap modules: killed after %i steps, --resume replaces every VM exactly once',
    async (n) => {
      const work = tempDir();
      const world = join(work, 'world.json');
      const journal = join(work, 'journal.jsonl');
      const base = [
        '--scenario',
        join(process.cwd(), 'examples', 'terraform-pinned-bootstrap.yaml'),
        '--world',
        world,
        '--journal',
        journal,
      ];
      const crashed = await runCliAsync(cli, [...base, '--crash-after-steps', String(n)], work);
      expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
      const resumed = await runCliAsync(cli, [...base, '--resume', '--json'], work);
      expect(resumed.status, resumed.stderr).toBe(0);
      const report = JSON.parse(resumed.stdout) as UpgradeReport;
      expect(report.violations).toEqual([]);
      expect(report.nodes.filter((x) => x.vmReplacements !== 1).map((x) => x.name)).toEqual([]);
    },
    300_000,
  );

  it("releases its own dead apply's state lock, creates the destroyed VM, every VM replaced exactly once", async () => {
    const work = tempDir();
    const scenario = scenarioFile(work, 'crash-in-apply', (s) => {
      (s as { faults: unknown[] }).faults = [{ type: 'crash-during-apply', node: 'k8s-work-2' }];
      (s as { terraform: unknown }).terraform = { ...s.terraform, vmIds: 'pinned' };
    });
    const world = join(work, 'world.json');
    const journal = join(work, 'journal.jsonl');
    const base = ['--scenario', scenario, '--world', world, '--journal', journal];
    const crashed = await runCliAsync(cli, base, work);
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const saved = JSON.parse(readFileSync(world, 'utf8')) as {
      world: { terraform: { lock: { who: string } | null }; vms: Record<string, unknown> };
    };
    expect(saved.world.terraform.lock?.who).toBe('drover@runner');
    expect(saved.world.vms['k8s-work-2']).toBeUndefined();
    const resumed = await runCliAsync(cli, [...base, '--resume', '--json'], work);
    expect(resumed.status, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout) as UpgradeReport;
    expect(report.violations).toEqual([]);
    expect(report.nodes.filter((n) => n.vmReplacements !== 1).map((n) => n.name)).toEqual([]);
    const entries = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { data?: { forceUnlocked?: string } });
    expect(entries.filter((e) => e.data?.forceUnlocked !== undefined)).toHaveLength(1);
  }, 300_000);
});
