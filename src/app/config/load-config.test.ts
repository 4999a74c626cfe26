import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { DroverError } from '../../core/errors.js';
import { DEFAULT_POLICY } from '../../core/policy.js';
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
patches:
  global: [patches/time.yaml]
nodes:
  - { name: cp-1, role: controlplane, host: pve1, address: 10.0.0.1 }
  - { name: w-1, role: worker, host: pve1, address: 10.0.0.2, osd: true }
  - { name: w-2, role: worker, host: pve2, address: 10.0.0.3, patches: [patches/extra.yaml] }
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drover-config-'));
  await mkdir(join(dir, 'patches'));
  await writeFile(join(dir, 'patches/time.yaml'), 'machine:\n  time:\n    servers: [a]\n');
  await writeFile(join(dir, 'patches/extra.yaml'), 'machine:\n  sysctls:\n    a: "1"\n');
  await writeFile(join(dir, 'patches/broken.yaml'), 'machine: [unclosed\n');
});

let counter = 0;
async function write(text: string): Promise<string> {
  const file = join(dir, `config-${counter++}.yaml`);
  await writeFile(file, text);
  return file;
}

/** Edits MINIMAL through the YAML document model, so each case names only its change. */
function edit(change: (doc: ReturnType<typeof parseDocument>) => void): string {
  const doc = parseDocument(MINIMAL);
  change(doc);
  return doc.toString();
}

async function problemsOf(text: string): Promise<string[]> {
  const error = await loadConfig(await write(text)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DroverError);
  const drover = error as DroverError;
  expect(drover.category).toBe('input');
  expect(drover.hint).toBeTruthy();
  return (drover.details?.issues as string[]) ?? [drover.code];
}

describe('loadConfig', () => {
  it('builds the inventory, resolving patches in order and defaults', async () => {
    const loaded = await loadConfig(await write(MINIMAL));
    const [cp, w1, w2] = loaded.inventory.nodes;
    expect(cp).toMatchObject({
      role: 'controlplane',
      terraformAddresses: ['module.cp["cp-1"]'],
      template: 'pve1/base',
      platform: 'nocloud',
      machineConfig: 'controlplane',
      patches: ['patches/time.yaml'],
    });
    expect(cp?.storage).toBeUndefined();
    expect(w1?.storage).toEqual({ osd: true });
    expect(w2?.patches).toEqual(['patches/time.yaml', 'patches/extra.yaml']);
    expect(loaded.inventory.templates['pve2/base']?.address).toBe('module.template_pve2_base');
    expect(loaded.inventory.patches['patches/extra.yaml']?.content).toContain('sysctls');
    expect(loaded.inventory.machineConfigs.controlplane).toEqual({
      kind: 'sops-file',
      ref: join(dir, 'cp.sops.yaml'),
    });
    expect(loaded.inventory.machineConfigs.worker).toEqual({
      kind: 'env-base64',
      ref: 'WORKER_B64',
    });
    expect(loaded.inventory.expectedEtcdMembers).toBe(1);
    expect(loaded.policy).toEqual(DEFAULT_POLICY);
    expect(loaded.config.lock).toEqual({
      namespace: 'kube-system',
      name: 'drover-upgrade',
      ttlSeconds: 300,
    });
  });

  it("gates.ceph.failureDomain is the CRUSH type of the storage domains (absent: host, by the pool rule's default)", async () => {
    const loaded = await loadConfig(await write(MINIMAL));
    expect(loaded.inventory.storageDomainType).toBeUndefined();
    const rack = await loadConfig(
      await write(`${MINIMAL}gates:\n  ceph: { failureDomain: rack }\n`),
    );
    expect(rack.inventory.storageDomainType).toBe('rack');
    expect(rack.config.gates.ceph).toMatchObject({ namespace: 'rook-ceph', cluster: 'rook-ceph' });
  });

  it('merges policy overrides over the defaults, field by field', async () => {
    const loaded = await loadConfig(
      await write(`${MINIMAL}policy:\n  drain: { gracefulSeconds: 60 }\n  cephNoout: false\n`),
    );
    expect(loaded.policy.drain).toEqual({ ...DEFAULT_POLICY.drain, gracefulSeconds: 60 });
    expect(loaded.policy.cephNoout).toBe(false);
    expect(loaded.policy.timeouts).toEqual(DEFAULT_POLICY.timeouts);
  });

  it('warns about a setting another caps, naming both fields; defaults alone say nothing', async () => {
    const capped = await loadConfig(
      await write(
        `${MINIMAL}policy:\n  disruption: { maxUnavailableWorkers: 1, petsBatchSize: 3 }\n`,
      ),
    );
    expect(capped.warnings).toEqual([
      'policy.disruption.petsBatchSize (3) is capped by policy.disruption.maxUnavailableWorkers (1): pets upgrades take at most 1 worker(s) at once',
    ]);
    expect((await loadConfig(await write(MINIMAL))).warnings).toEqual([]);
  });

  it('the plan use case hands those warnings on with the plan', async () => {
    const { planUpgrade } = await import('../plan/plan-upgrade.js');
    const file = await write(
      `${MINIMAL}versions: { talos: 1.10.8, kubernetes: 1.33.5 }\npolicy:\n  disruption: { maxUnavailableWorkers: 1, petsBatchSize: 3 }\n`,
    );
    const planned = await planUpgrade({ kind: 'pets', config: file, to: '1.10.9', selection: {} });
    expect(planned.warnings).toEqual([
      expect.stringMatching(
        /^policy\.disruption\.petsBatchSize \(3\) is capped by policy\.disruption\.maxUnavailableWorkers \(1\)/,
      ),
    ]);
    expect(planned.plan).toMatchObject({ kind: 'pets' });
  });

  it('reads every duration field as whole seconds or as 90s, 4m, 1h30m', async () => {
    const loaded = await loadConfig(
      await write(
        edit((doc) => {
          doc.setIn(['terraform', 'lockTimeoutSeconds'], '5m');
          doc.setIn(['lock'], doc.createNode({ ttlSeconds: '90s' }));
          doc.setIn(
            ['policy'],
            doc.createNode({
              drain: { gracefulSeconds: '4m', podTerminationTimeoutSeconds: 120 },
              timeouts: { nodeReadySeconds: '1h30m', terraformSeconds: '20m' },
              retry: { initialBackoffSeconds: '5s', maxBackoffSeconds: '1m' },
            }),
          );
        }),
      ),
    );
    expect(loaded.config.terraform.lockTimeoutSeconds).toBe(300);
    expect(loaded.config.lock.ttlSeconds).toBe(90);
    expect(loaded.policy.drain.gracefulSeconds).toBe(240);
    expect(loaded.policy.drain.podTerminationTimeoutSeconds).toBe(120);
    expect(loaded.policy.timeouts.nodeReadySeconds).toBe(5400);
    expect(loaded.policy.timeouts.terraformSeconds).toBe(1200);
    expect(loaded.policy.retry).toMatchObject({ initialBackoffSeconds: 5, maxBackoffSeconds: 60 });
  });

  it('gives a node its own machine config and explicit addresses', async () => {
    const text = edit((doc) => {
      doc.setIn(['nodes', 1, 'machineConfig'], doc.createNode({ sops: 'w1.sops.yaml' }));
      doc.setIn(['nodes', 1, 'terraformAddresses'], doc.createNode(['module.special.vm']));
    });
    const loaded = await loadConfig(await write(text));
    const node = loaded.inventory.nodes[1]!;
    expect(node.machineConfig).toBe('node:w-1');
    expect(loaded.inventory.machineConfigs['node:w-1']?.kind).toBe('sops-file');
    expect(node.terraformAddresses).toEqual(['module.special.vm']);
  });

  it('returns custom gates whose CEL parses', async () => {
    const loaded = await loadConfig(
      await write(
        `${MINIMAL}gates:\n  custom:\n    - { name: ok, apiVersion: v1, resource: configmaps, namespace: x, resourceName: y, expression: 'object.data.ready == "true"' }\n`,
      ),
    );
    expect(loaded.customGates.map((g) => g.name)).toEqual(['ok']);
  });

  const cases: { name: string; text: () => string; expected: RegExp[] }[] = [
    {
      name: 'YAML syntax error with its line',
      text: () => 'cluster: lab\nnodes:\n  - { name: a\n',
      expected: [/config-\d+\.yaml:4: Flow map/],
    },
    {
      name: 'a duplicate key',
      text: () => `${MINIMAL}cluster: other\n`,
      expected: [/:\d+: .*[Mm]ap keys must be unique/],
    },
    {
      name: 'an unknown key, with its path and line',
      text: () => edit((doc) => doc.setIn(['nodes', 0, 'adress'], '10.0.0.9')),
      expected: [/yaml:\d+: nodes\[0\]\.adress: unknown key/],
    },
    {
      name: 'an unknown top-level section',
      text: () => `${MINIMAL}polcy: {}\n`,
      expected: [/yaml:18: polcy: unknown key/],
    },
    {
      name: 'a missing required field',
      text: () => edit((doc) => doc.deleteIn(['nodes', 2, 'host'])),
      expected: [/nodes\[2\]\.host: is required/],
    },
    {
      name: 'a value of the wrong type, told apart from a missing one',
      text: () =>
        edit((doc) => {
          doc.setIn(['nodes', 0, 'host'], 5);
          doc.setIn(['nodes', 1, 'gpu'], 'yes');
          doc.setIn(['nodes', 2], doc.createNode('w-2'));
        }),
      expected: [
        /nodes\[0\]\.host: must be string, not number 5/,
        /nodes\[1\]\.gpu: must be boolean, not string "yes"/,
        /nodes\[2\]: must be object, not string "w-2"/,
      ],
    },
    {
      name: 'a bad role and a bad address',
      text: () =>
        edit((doc) => {
          doc.setIn(['nodes', 0, 'role'], 'master');
          doc.setIn(['nodes', 1, 'address'], 'not an address!');
        }),
      expected: [/nodes\[0\]\.role: /, /nodes\[1\]\.address: must be an IPv4/],
    },
    {
      name: 'a secret value where a variable name belongs',
      text: () =>
        edit((doc) =>
          doc.setIn(['machineConfigs', 'worker', 'envBase64'], 'dmVyc2lvbjogdjFhbHBoYTE='),
        ),
      expected: [/machineConfigs\.worker\.envBase64: must be the NAME of an environment variable/],
    },
    {
      name: 'duplicate node names and addresses',
      text: () =>
        edit((doc) => {
          doc.setIn(['nodes', 2, 'name'], 'w-1');
          doc.setIn(['nodes', 2, 'address'], '10.0.0.2');
        }),
      expected: [
        /nodes\[2\]\.name: "w-1" is also nodes\[1\]/,
        /nodes\[2\]\.address: 10\.0\.0\.2 is also/,
      ],
    },
    {
      name: 'an unknown flavor',
      text: () => edit((doc) => doc.setIn(['nodes', 1, 'flavor'], 'gpu')),
      expected: [/nodes\[1\]\.flavor: no schematic "gpu" \(known: base\)/],
    },
    {
      name: 'no machine config for a role',
      text: () => edit((doc) => doc.deleteIn(['machineConfigs', 'worker'])),
      expected: [/nodes\[1\]\.machineConfig: no machine config/, /nodes\[2\]\.machineConfig/],
    },
    {
      name: 'no Terraform address for a role, and a pattern without {name}',
      text: () =>
        edit((doc) => {
          doc.deleteIn(['terraform', 'nodeAddresses', 'worker']);
          doc.setIn(['terraform', 'nodeAddresses', 'controlplane'], 'module.cp');
        }),
      expected: [
        /terraform\.nodeAddresses\.controlplane: must contain \{name\}/,
        /nodes\[1\]\.terraformAddresses: none/,
      ],
    },
    {
      name: 'a CEL expression that does not parse',
      text: () =>
        `${MINIMAL}gates:\n  custom:\n    - { name: bad, apiVersion: v1, resource: configmaps, resourceName: y, expression: 'object.data ==' }\n`,
      expected: [/gates\.custom\[0\]\.expression: does not parse as CEL/],
    },
    {
      name: 'a CEL expression over an unknown variable or not a bool',
      text: () =>
        `${MINIMAL}gates:\n  custom:\n    - { name: a, apiVersion: v1, resource: configmaps, resourceName: y, expression: 'obj.ready' }\n    - { name: b, apiVersion: v1, resource: configmaps, resourceName: y, expression: 'size(object) + 1' }\n`,
      expected: [
        /custom\[0\]\.expression: is not valid CEL: Unknown variable: obj/,
        /custom\[1\]\.expression: must evaluate to a bool/,
      ],
    },
    {
      name: 'a missing and a broken patch file',
      text: () =>
        edit((doc) =>
          doc.setIn(
            ['patches', 'worker'],
            doc.createNode(['patches/none.yaml', 'patches/broken.yaml']),
          ),
        ),
      expected: [
        /patches\.worker\[0\]: patches\/none\.yaml: file not found/,
        /patches\.worker\[1\]: .*not valid YAML/,
      ],
    },
    {
      name: 'a journal in S3 without an S3 backup',
      text: () => `${MINIMAL}journal: { s3: true }\n`,
      expected: [/journal\.s3: needs backup\.s3/],
    },
    {
      name: 'a policy typo and a zero timeout',
      text: () =>
        `${MINIMAL}policy:\n  drain: { gracefullSeconds: 5 }\n  timeouts: { gateSeconds: 0 }\n`,
      expected: [/policy\.drain\.gracefullSeconds: unknown key/, /policy\.timeouts\.gateSeconds: /],
    },
    {
      name: 'a duration in a form Drover does not read, naming the field and the forms',
      text: () =>
        `${MINIMAL}policy:\n  timeouts: { gateSeconds: 4 minutes }\nlock: { ttlSeconds: 10s }\n`,
      expected: [
        /yaml:\d+: policy\.timeouts\.gateSeconds: must be whole seconds \(300\) or a duration such as 90s, 4m or 1h30m/,
        /lock\.ttlSeconds: must be .* at least 30 s, not "10s"/,
      ],
    },
  ];

  it.each(cases)('reports $name', async ({ text, expected }) => {
    const problems = await problemsOf(text());
    for (const pattern of expected)
      expect(
        problems.some((p) => pattern.test(p)),
        `${pattern} in\n${problems.join('\n')}`,
      ).toBe(true);
  });

  it('names a missing file with its own code', async () => {
    await expect(loadConfig(join(dir, 'nope.yaml'))).rejects.toMatchObject({
      code: 'CONFIG_NOT_FOUND',
      category: 'input',
    });
  });

  it('lists every problem in the message', async () => {
    const text = edit((doc) => {
      doc.setIn(['nodes', 0, 'role'], 'master');
      doc.setIn(['cluster'], 'Bad_Name');
    });
    const error = (await loadConfig(await write(text)).catch((e: unknown) => e)) as DroverError;
    expect(error.message).toMatch(/cluster: /);
    expect(error.message).toMatch(/nodes\[0\]\.role: /);
    expect(await readFile(join(dir, 'patches/time.yaml'), 'utf8')).toContain('time');
  });
});

describe('custom gate expressions', () => {
  it('evaluate over the object to a bool, and a non-bool result is an error', async () => {
    const { evaluateCelGate } = await import('./cel-expression.js');
    const ready = 'object.status.conditions.exists(c, c.type == "Ready" && c.status == "True")';
    expect(
      evaluateCelGate(ready, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
    ).toBe(true);
    expect(
      evaluateCelGate(ready, { status: { conditions: [{ type: 'Ready', status: 'False' }] } }),
    ).toBe(false);
    expect(() => evaluateCelGate('object.status.phase', { status: { phase: 'Ready' } })).toThrow(
      /not a bool/,
    );
  });
});
