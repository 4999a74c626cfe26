/**
 * A missing or unreachable cluster, as `validate` and `upgrade --dry-run` report it: bad input
 * (no kubeconfig file, one that does not parse, an unknown context) is exit 2 naming the file;
 * a server that does not answer names the endpoint and the kubeconfig it came from.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { upgradeCommand } from '../../src/cli/upgrade/run-upgrade-command.js';
import { dryRun, impatientClock, machineConfigSecrets, startWorld, validate } from './harness.js';
import type { World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('a missing or unreachable cluster', () => {
  it('a kubeconfig file that does not exist: exit 2 naming it', async () => {
    world = await startWorld();
    const missing = join(world.dir, 'no-such-kubeconfig');
    const run = await validate({ config: world.config, kubeconfig: missing });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[KUBECONFIG_MISSING]');
    expect(run.stderr).toContain(missing);
    // The same through KUBECONFIG, for the dry run.
    const viaEnv = await dryRun(
      world,
      { ...machineConfigSecrets().env, KUBECONFIG: missing },
      {
        kubeconfig: undefined,
      },
    );
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain(missing);
  });

  it('a kubeconfig that does not parse: exit 2 naming it', async () => {
    world = await startWorld();
    const garbage = join(world.dir, 'garbage');
    writeFileSync(garbage, 'clusters: [unclosed\n  - {');
    const run = await validate({ config: world.config, kubeconfig: garbage });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('[KUBECONFIG_INVALID]');
    expect(run.stderr).toContain(garbage);
  });

  it('an unknown context: exit 2 naming the file and the known contexts', async () => {
    world = await startWorld();
    const run = await validate({
      config: world.config,
      kubeconfig: world.kubeconfig,
      context: 'prod',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Context "prod" is not in ${world.kubeconfig}`);
    expect(run.stderr).toContain('Known contexts: drover-fake.');
  });

  it('a server that does not answer: names the endpoint and the kubeconfig', async () => {
    world = await startWorld();
    const url = world.server.url;
    await world.server.close();
    world.server.close = async () => undefined;
    const where = `Kubernetes API at ${url} (kubeconfig ${world.kubeconfig})`;
    const run = await validate(
      { config: world.config, kubeconfig: world.kubeconfig },
      {},
      impatientClock,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(where);
    expect(run.stderr).toContain(`Nothing answered at ${url}`);

    let stderr = '';
    const code = await upgradeCommand(
      'cattle',
      {
        config: world.config,
        to: '1.11.0',
        dryRun: true,
        resume: false,
        json: false,
        kubeconfig: world.kubeconfig,
      },
      {
        stdout: () => undefined,
        stderr: (t) => void (stderr += t),
        env: machineConfigSecrets().env,
        clock: impatientClock,
        reporter: { event: () => undefined, flush: async () => undefined },
      },
    );
    const dry = { code, stderr };
    expect(dry.code).toBe(1);
    expect(dry.stderr).toContain(where);
    expect(dry.stderr).toContain(`hint: Nothing answered at ${url}`);
  });
});
