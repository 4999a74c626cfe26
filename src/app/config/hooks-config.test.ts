/** The hooks, alertmanager and command-gate parts of drover.yaml, through the real loader. */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import { loadConfig } from './load-config.js';

const MINIMAL = `cluster: lab
terraform:
  nodeAddresses:
    controlplane: module.cp["{name}"]
    worker: module.w["{name}"]
  templateAddress: module.template_{host}_{flavor}
schematics:
  base: { id: ${'a'.repeat(64)} }
machineConfigs:
  controlplane: { sops: cp.sops.yaml }
  worker: { envBase64: WORKER_B64 }
nodes:
  - { name: cp-1, role: controlplane, host: pve1, address: 10.0.0.1 }
  - { name: w-1, role: worker, host: pve1, address: 10.0.0.2 }
`;

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-hooks-config-'));
  await mkdir(join(dir, 'x'), { recursive: true });
});

async function load(extra: string) {
  const file = join(dir, `config-${counter++}.yaml`);
  await writeFile(file, `${MINIMAL}${extra}`);
  return loadConfig(file);
}

async function problemsOf(extra: string): Promise<string> {
  const error = await load(extra).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DroverError);
  return ((error as DroverError).details?.issues as string[]).join('\n');
}

describe('hooks, alertmanager and command gates in drover.yaml', () => {
  it('defaults: no hooks, no silence', async () => {
    const { config } = await load('');
    expect(config.hooks).toEqual({
      beforeRun: [],
      afterRun: [],
      beforeDrain: [],
      afterUncordon: [],
    });
    expect(config.alertmanager).toBeUndefined();
  });

  it('reads hooks as argv lists with a default timeout', async () => {
    const { config } = await load(`hooks:
  beforeRun:
    - command: [./notify, start]
  afterRun:
    - { command: [sh, -c, 'curl -fsS "$HOOK_URL"'], timeoutSeconds: 30 }
  beforeDrain:
    - command: [kubectl, annotate, node]
`);
    expect(config.hooks.beforeRun).toEqual([
      { command: ['./notify', 'start'], timeoutSeconds: 300 },
    ]);
    expect(config.hooks.afterRun[0]?.command[0]).toBe('sh');
  });

  it('refuses a shell string as a command (argv arrays only)', async () => {
    expect(
      await problemsOf(`hooks:\n  beforeRun:\n    - command: "./notify start && echo"\n`),
    ).toMatch(/hooks\.beforeRun\[0\]\.command: must be array/);
  });

  it('alertmanager: defaults refuse to start without a silence', async () => {
    const { config } = await load(`alertmanager:
  url: http://alertmanager.monitoring:9093
  matchers: [{ name: cluster, value: lab }]
  bearerTokenEnv: AM_TOKEN
`);
    expect(config.alertmanager).toMatchObject({
      durationSeconds: 1800,
      onCreateFailure: 'refuse',
      matchers: [{ name: 'cluster', value: 'lab', isRegex: false, isEqual: true }],
    });
  });

  it('alertmanager: matchers that match everything are refused (Alertmanager would refuse the silence)', async () => {
    const problems = await problemsOf(`alertmanager:
  url: http://am:9093
  matchers: [{ name: a, value: '.*', isRegex: true }, { name: b, value: 'x', isEqual: false }]
`);
    expect(problems).toMatch(
      /alertmanager\.matchers: at least one matcher must not match the empty string/,
    );
  });

  it('alertmanager: a bad regex and two auth variables are refused', async () => {
    const problems = await problemsOf(`alertmanager:
  url: http://am:9093
  matchers: [{ name: a, value: lab }, { name: b, value: '(', isRegex: true }]
  bearerTokenEnv: AM_TOKEN
  basicAuthEnv: AM_BASIC
`);
    expect(problems).toMatch(
      /alertmanager\.matchers\[1\]\.value: is not a valid regular expression/,
    );
    expect(problems).toMatch(
      /alertmanager\.basicAuthEnv: set bearerTokenEnv or basicAuthEnv, not both/,
    );
  });

  it('alertmanager: a token value where its variable name belongs is refused', async () => {
    expect(
      await problemsOf(
        `alertmanager:\n  url: http://am:9093\n  matchers: [{ name: a, value: b }]\n  bearerTokenEnv: s3cr3t-t0ken\n`,
      ),
    ).toMatch(/bearerTokenEnv: must be the NAME of an environment variable/);
  });

  it('a command gate is a custom gate: shown in plans as custom:<name>, wait codes default to 75', async () => {
    const loaded = await load(`gates:
  custom:
    - { name: backups-idle, command: [./backups-idle.sh] }
    - { name: ok, apiVersion: v1, resource: configmaps, namespace: x, resourceName: y, expression: 'object.data.ready == "true"' }
`);
    expect(loaded.customGates).toEqual([
      {
        name: 'backups-idle',
        command: ['./backups-idle.sh'],
        timeoutSeconds: 60,
        waitExitCodes: [75],
      },
      expect.objectContaining({ name: 'ok' }),
    ]);
  });

  it('a gate that is neither a CEL gate nor a command gate is refused', async () => {
    expect(await problemsOf(`gates:\n  custom:\n    - { name: x, comand: [a] }\n`)).toMatch(
      /gates\.custom\[0\]: must be a CEL gate .* or a command gate/,
    );
  });
});
