/**
 * A Talos jump over several lines (1.8.4 -> 1.11.0, hops 1.10.9 -> 1.11.0) with --allow-multi-hop:
 * the router routes it in place (pets, a phase per hop), and a cattle plan of it is refused
 * (CATTLE_MULTI_HOP, exit 3) by plan, upgrade and simulate alike, never silently replaced straight
 * to the target: a cattle run cannot build an intermediate hop's templates (Terraform builds
 * them from the version its configuration holds), and a fresh node must not skip a minor of the
 * cluster's etcd (etcd.io/docs/v3.6/upgrades/upgrading-etcd). Why: core/refusals.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../src/cli/plan/run-plan-command.js';
import { upgradeCommand } from '../../src/cli/upgrade/run-upgrade-command.js';
import { isDroverError } from '../../src/core/errors.js';
import { GitFixture, variablesTf } from '../route/git-fixture.js';
import { route } from '../route/run.js';
import { scenarioFile, simulateInProcess, tempDir } from '../simulate/helpers.js';
import { machineConfigSecrets, startWorld, writeConfig } from '../upgrade/harness.js';
import type { World } from '../upgrade/harness.js';

const ALLOW = { allowMultiHop: true };
const quiet = { stdout: () => undefined, stderr: () => undefined };

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.close());

function config(): string {
  return writeConfig(mkdtempSync(join(tmpdir(), 'drover-cattle-hops-')), (text) =>
    text
      .replace('talos: 1.10.8', 'talos: 1.8.4')
      .replace('kubernetes: 1.33.5', 'kubernetes: 1.30.5'),
  );
}

async function thrown(run: () => Promise<unknown>): Promise<{ code: string; hint: string }> {
  try {
    await run();
  } catch (error) {
    if (isDroverError(error)) return { code: error.code, hint: error.hint ?? '' };
    throw error;
  }
  return { code: 'none', hint: '' };
}

describe('cattle across several Talos lines', () => {
  it('route sends it in place, through the newest patch of each line', async () => {
    const repo = GitFixture.create();
    try {
      repo.write('terraform/variables.tf', variablesTf('1.8.4', '1.30.5')).commit('base');
      repo.write('terraform/variables.tf', variablesTf('1.11.0', '1.30.5')).commit('head');
      const run = await route(repo.dir, ALLOW);
      expect(run.exitCode).toBe(0);
      expect(run.document).toMatchObject({ upgrade_type: 'pets', hops: ['1.10.9', '1.11.0'] });
    } finally {
      repo.cleanup();
    }
  });

  it('plan, upgrade --dry-run and simulate refuse a cattle plan with hops (exit 3), naming what works', async () => {
    const plan = await thrown(() =>
      runPlanCommand('cattle', { config: config(), to: '1.11.0', json: true, allow: ALLOW }, quiet),
    );
    expect(plan.code).toBe('CATTLE_MULTI_HOP');
    expect(plan.hint).toContain('drover plan pets --allow-multi-hop');
    expect(plan.hint).toContain('--to 1.10.9 first, then 1.11.0');

    let stdout = '';
    const exit = await upgradeCommand(
      'cattle',
      {
        config: config(),
        to: '1.11.0',
        dryRun: true,
        resume: false,
        json: true,
        kubeconfig: world.kubeconfig,
        allow: ALLOW,
      },
      {
        stdout: (t) => void (stdout += t),
        stderr: () => undefined,
        env: machineConfigSecrets().env,
        reporter: { event: () => undefined, flush: async () => undefined },
      },
    );
    expect(exit).toBe(3);
    const error = (JSON.parse(stdout) as { error: { code: string; hint: string } }).error;
    expect(error.code).toBe('CATTLE_MULTI_HOP');
    expect(error.hint).toContain('drover upgrade pets --allow-multi-hop');

    const file = scenarioFile(tempDir(), 'cattle-multi-hop', (s) => {
      s.upgrade = {
        kind: 'cattle',
        talos: { from: '1.8.4', to: '1.11.0' },
        kubernetes: { from: '1.30.5', to: '1.30.5' },
      };
    });
    const simulate = await thrown(() => simulateInProcess({ scenarioFile: file, allow: ALLOW }));
    expect(simulate.code).toBe('CATTLE_MULTI_HOP');
    expect(simulate.hint).toContain('drover simulate --kind pets --allow-multi-hop');
  });
});
