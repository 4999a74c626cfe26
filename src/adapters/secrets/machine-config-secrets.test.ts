import { afterEach, describe, expect, it } from 'vitest';
import type { InventoryNode, MachineConfigSource } from '../../core/inventory.js';
import { REDACTED, Redactor } from '../../core/redact.js';
import { StandInScenario, STAND_INS } from '../../../test/stand-ins/scenario.js';
import { SopsDecryptor, type Decryptor } from '../sops/sops-decryptor.js';
import { MachineConfigSecrets } from './machine-config-secrets.js';

const config = 'version: v1alpha1\nmachine:\n  type: worker\n  token: abcdef.0123456789abcdef\n';
const node = (machineConfig: string): InventoryNode => ({
  name: 'k8s-work-1',
  role: 'worker',
  host: 'baldar',
  address: '10.0.0.21',
  terraformAddresses: ['module.worker_nodes["k8s-work-1"]'],
  template: 'baldar-base',
  schematic: 'abc',
  platform: 'nocloud',
  patches: [],
  machineConfig,
  gpu: false,
});
const sources: Record<string, MachineConfigSource> = {
  workerSops: { kind: 'sops-file', ref: 'talos/worker.sops.yaml' },
  workerEnv: { kind: 'env-base64', ref: 'TALOS_WORKER_CONFIG' },
  sim: { kind: 'inline-test', ref: 'x' },
};

class RecordingDecryptor implements Decryptor {
  readonly files: string[] = [];
  constructor(private readonly plaintext: string) {}
  decrypt(file: string): Promise<string> {
    this.files.push(file);
    return Promise.resolve(this.plaintext);
  }
}

let scenario: StandInScenario | undefined;
afterEach(async () => {
  await scenario?.dispose();
  scenario = undefined;
});

describe('MachineConfigSecrets', () => {
  it('sops-file: decrypts the file relative to the config directory', async () => {
    const sops = new RecordingDecryptor(config);
    const secrets = new MachineConfigSecrets({
      sources,
      env: {},
      sops,
      redactor: new Redactor(),
      baseDir: '/repo',
    });
    expect(await secrets.machineConfig(node('workerSops'))).toBe(config);
    expect(sops.files).toEqual(['/repo/talos/worker.sops.yaml']);
  });

  it('sops-file through the sops stand-in end to end', async () => {
    scenario = await StandInScenario.create([
      {
        expectArgs: ['-d', '--output-type', 'yaml', '/repo/talos/worker.sops.yaml'],
        stdoutFile: 'sops/worker.decrypted.yaml',
      },
    ]);
    const redactor = new Redactor();
    const sops = new SopsDecryptor({
      binary: `${STAND_INS}/sops`,
      redactor,
      env: { SOPS_STANDIN_SCRIPT: scenario.path },
    });
    const secrets = new MachineConfigSecrets({
      sources,
      env: {},
      sops,
      redactor,
      baseDir: '/repo',
    });
    expect(await secrets.machineConfig(node('workerSops'))).toContain('type: worker');
    expect(
      redactor.redact('cluster secret is Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8K'),
    ).toBe(`cluster secret is ${REDACTED}`);
    expect(redactor.redact('bootstrap with q5w8zc.x1k3p9m2n4b6v8c0 now')).toBe(
      `bootstrap with ${REDACTED} now`,
    );
  });

  it('env-base64: decodes the named variable and registers both forms', async () => {
    const redactor = new Redactor();
    const b64 = Buffer.from(config).toString('base64');
    const secrets = new MachineConfigSecrets({
      sources,
      env: { TALOS_WORKER_CONFIG: `${b64.slice(0, 20)}\n${b64.slice(20)}` },
      sops: new RecordingDecryptor(''),
      redactor,
    });
    expect(await secrets.machineConfig(node('workerEnv'))).toBe(config);
    expect(redactor.redact(`token: abcdef.0123456789abcdef`)).toBe(REDACTED);
    expect(redactor.redact('join token abcdef.0123456789abcdef')).toBe(`join token ${REDACTED}`);
  });

  it.each([
    ['missing', {}, 'SECRET_MISSING', /TALOS_WORKER_CONFIG .*is not set/],
    ['empty', { TALOS_WORKER_CONFIG: '  ' }, 'SECRET_MISSING', /TALOS_WORKER_CONFIG/],
    [
      'not base64',
      { TALOS_WORKER_CONFIG: 'machine: {type: worker}!' },
      'SECRET_INVALID',
      /not base64/,
    ],
    [
      'not YAML',
      {
        TALOS_WORKER_CONFIG: Buffer.from('machine: [unclosed\n  token: hunter2hunter2').toString(
          'base64',
        ),
      },
      'SECRET_INVALID',
      /not valid YAML/,
    ],
    [
      'YAML without machine',
      { TALOS_WORKER_CONFIG: Buffer.from('cluster:\n  name: x\n').toString('base64') },
      'SECRET_INVALID',
      /no machine: section/,
    ],
  ])('env-base64 %s -> %s, naming the variable, never the value', async (_, env, code, message) => {
    const secrets = new MachineConfigSecrets({
      sources,
      env,
      sops: new RecordingDecryptor(''),
      redactor: new Redactor(),
    });
    const error = (await secrets
      .machineConfig(node('workerEnv'))
      .catch((e: unknown) => e)) as Error & { category: string; code: string; hint: string };
    expect(error.category).toBe('input');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    const value = (env as Record<string, string>).TALOS_WORKER_CONFIG;
    for (const text of [error.message, error.hint]) {
      if (value?.trim()) expect(text).not.toContain(value.trim());
      expect(text).not.toContain('hunter2');
    }
  });

  it('an unknown or simulation-only source is an input error', async () => {
    const secrets = new MachineConfigSecrets({
      sources,
      env: {},
      sops: new RecordingDecryptor(config),
      redactor: new Redactor(),
    });
    await expect(secrets.machineConfig(node('nope'))).rejects.toMatchObject({
      code: 'MACHINE_CONFIG_SOURCE_UNKNOWN',
    });
    await expect(secrets.machineConfig(node('sim'))).rejects.toMatchObject({
      code: 'MACHINE_CONFIG_SOURCE_UNSUPPORTED',
    });
  });

  it('a decrypted SOPS file that is not a machine config is refused', async () => {
    const secrets = new MachineConfigSecrets({
      sources,
      env: {},
      sops: new RecordingDecryptor('foo: bar\n'),
      redactor: new Redactor(),
    });
    await expect(secrets.machineConfig(node('workerSops'))).rejects.toMatchObject({
      code: 'SECRET_INVALID',
      message: expect.stringMatching(/SOPS file talos\/worker.sops.yaml/),
    });
  });
});
