/**
 * The upgrade and validate use cases (src/app/upgrade) as the CLI and any other caller see them:
 * a result (the report, the validation), redacted with the caller's Redactor, or a thrown
 * DroverError; never an exit code, never the report printed by themselves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { executeUpgrade } from '../../src/app/upgrade/execute-upgrade.js';
import { executeValidate } from '../../src/app/upgrade/execute-validate.js';
import { Redactor } from '../../src/core/redact.js';
import type { ImagePresence } from '../../src/ports/registry.js';
import { findLeaks, machineConfigSecrets, startWorld } from './harness.js';
import type { World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const present = { manifest: async (): Promise<ImagePresence> => ({ state: 'present' }) };
const quietReporter = { event: () => undefined, flush: async () => undefined };

describe('the upgrade use case', () => {
  it('a dry run returns the report; the secrets it learned are in the caller’s Redactor', async () => {
    world = await startWorld();
    const secrets = machineConfigSecrets();
    const redactor = new Redactor();
    let stdout = '';
    let stderr = '';
    const report = await executeUpgrade(
      'pets',
      {
        config: world.config,
        to: '1.10.9',
        dryRun: true,
        resume: false,
        json: true,
        kubeconfig: world.kubeconfig,
      },
      {
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t),
        env: secrets.env,
        reporter: quietReporter,
        redactor,
        registry: present,
      },
    );
    expect(report).toMatchObject({ outcome: 'succeeded', kind: 'pets' });
    expect(report.notes).toContain('dry run: nothing was changed');
    // The report is the caller's to print: nothing of it on stdout (under --json even the
    // runner's ::add-mask:: lines go to stderr).
    expect(stdout).toBe('');
    expect(stderr).toContain('k8s-work-1');
    expect(findLeaks({ report: JSON.stringify(report) }, secrets.values)).toEqual([]);
    const secret = secrets.env.AWS_SECRET_ACCESS_KEY;
    expect(redactor.redact(`key ${secret}`)).not.toContain(secret);
  });

  it('a bad kind is thrown for the caller to classify, before anything is read', async () => {
    await expect(
      executeUpgrade(
        'sheep',
        {
          config: '/nonexistent/drover.yaml',
          to: '1.11.0',
          dryRun: true,
          resume: false,
          json: false,
        },
        {
          stdout: () => undefined,
          stderr: () => undefined,
          env: {},
          reporter: quietReporter,
          redactor: new Redactor(),
        },
      ),
    ).rejects.toMatchObject({ code: 'KIND_INVALID', category: 'usage' });
  });
});

describe('the validate use case', () => {
  it('returns the validation of the reference cluster as the config describes it', async () => {
    world = await startWorld();
    let stdout = '';
    const result = await executeValidate(
      { config: world.config, kubeconfig: world.kubeconfig, json: false },
      {
        stdout: (t) => void (stdout += t),
        stderr: () => undefined,
        env: {},
        redactor: new Redactor(),
      },
    );
    expect(result).toMatchObject({
      ok: true,
      problems: [],
      expected: { talos: '1.10.8', kubernetes: '1.33.5', nodes: 15 },
    });
    expect(result.nodes).toHaveLength(15);
    expect(stdout).toBe('');
  });
});
