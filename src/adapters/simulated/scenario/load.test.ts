import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DroverError } from '../../../core/errors.js';
import { deriveInventory, derivePolicy, deriveDurations } from './derive.js';
import { loadScenario } from './load.js';
import { referenceScenario } from './reference.js';

const EXAMPLES = join(import.meta.dirname, '../../../../examples');

function problemsOf(text: string): string[] {
  try {
    loadScenario(text, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(DroverError);
    const e = error as DroverError;
    expect(e.category).toBe('input');
    expect(e.code).toBe('SCENARIO_INVALID');
    return (e.details?.problems as string[]) ?? [];
  }
  throw new Error('expected the scenario to be rejected');
}

const MINIMAL = `
name: t
upgrade: { talos: { from: 1.10.8, to: 1.11.0 }, kubernetes: { from: 1.33.5 } }
hosts: [a]
schematics: { base: ${'a'.repeat(64)} }
templates: [{ host: a, flavor: base, schematic: base }]
nodes: [{ name: cp-1, role: controlplane, host: a, address: 10.0.0.1 }]
`;

describe('loadScenario', () => {
  it('accepts a minimal scenario and fills the defaults', () => {
    const s = loadScenario(MINIMAL, 'min.yaml');
    expect(s.upgrade.kind).toBe('cattle');
    expect(s.cluster).toBe('homelab');
    expect(s.workloads.coredns.replicas).toBe(2);
    expect(s.nodes[0]?.flavor).toBe('base');
  });

  it.each([
    [
      'a wrong type names the field',
      MINIMAL.replace('address: 10.0.0.1', 'address: 10.0.0.1, gpu: yes-please'),
      'nodes[0].gpu',
    ],
    ['an unknown role', MINIMAL.replace('role: controlplane', 'role: boss'), 'nodes[0].role'],
    ['a bad version', MINIMAL.replace('to: 1.11.0', 'to: latest'), 'upgrade.talos.to'],
    ['an unknown key', MINIMAL + 'colour: blue\n', '(root)'],
    ['an unknown host', MINIMAL.replace('host: a, address', 'host: b, address'), 'nodes[0].host'],
    [
      'a missing template',
      MINIMAL.replace('address: 10.0.0.1', 'address: 10.0.0.1, flavor: gpu'),
      'nodes[0].flavor',
    ],
    [
      'an unknown patch',
      MINIMAL.replace('address: 10.0.0.1', 'address: 10.0.0.1, patches: [nope]'),
      'nodes[0].patches[0]',
    ],
    ['a bad schematic', MINIMAL.replace('a'.repeat(64), 'xyz'), 'schematics.base'],
    ['an unknown fault type', MINIMAL + 'faults: [{ type: meteor }]\n', 'faults[0].type'],
    [
      'a fault on an unknown node',
      MINIMAL + 'faults: [{ type: never-ready, node: ghost }]\n',
      'faults[0].node',
    ],
    [
      'an unfaultable action',
      MINIMAL + 'faults: [{ type: step-fails, action: verify-version }]\n',
      'faults[0].action',
    ],
    [
      'a pdb fault without a pdb',
      MINIMAL + 'faults: [{ type: pdb-blocks, name: web }]\n',
      'faults[0].name',
    ],
    [
      'an etcd fault on a worker',
      MINIMAL.replace(
        '10.0.0.1 }]',
        '10.0.0.1 }, { name: w-1, role: worker, host: a, address: 10.0.0.2 }]',
      ) + 'faults: [{ type: etcd-unhealthy, node: w-1 }]\n',
      'faults[0].node: w-1 is not a controlplane node',
    ],
    ['an unknown duration', MINIMAL + 'durations: { teleport: 3 }\n', 'durations'],
    ['a policy typo', MINIMAL + 'policy: { drain: { gracefullSeconds: 3 } }\n', 'policy.drain'],
    ['an unknown base', 'base: other\nname: x\n', 'base'],
    [
      'an allocatable that is not a quantity',
      MINIMAL.replace(
        'address: 10.0.0.1',
        'address: 10.0.0.1, allocatable: { cpu: 2 cores, memory: 4Gi }',
      ),
      'nodes[0].allocatable.cpu',
    ],
  ])('%s', (_name, text, path) => {
    const problems = problemsOf(text);
    expect(problems.some((p) => p.startsWith(path))).toBe(true);
  });

  it('reports YAML syntax errors as input errors', () => {
    expect(problemsOf('name: [unclosed\n')[0]).toMatch(/^YAML:/);
  });

  it('merges over the reference cluster with base: reference', () => {
    const s = loadScenario(
      'base: reference\nname: x\nfaults: [{ type: never-ready, node: k8s-work-7 }]\n',
      'x.yaml',
    );
    expect(s.nodes).toHaveLength(15);
    expect(s.name).toBe('x');
    expect(s.faults).toEqual([{ type: 'never-ready', node: 'k8s-work-7' }]);
  });
});

describe('the reference scenario', () => {
  it('equals examples/reference.yaml', () => {
    const fromFile = loadScenario(
      readFileSync(join(EXAMPLES, 'reference.yaml'), 'utf8'),
      'reference.yaml',
    );
    expect(fromFile).toEqual(referenceScenario());
  });

  it('has the shape of the reference cluster', () => {
    const inventory = deriveInventory(referenceScenario());
    const byName = Object.fromEntries(inventory.nodes.map((n) => [n.name, n]));
    expect(
      inventory.nodes.filter((n) => n.role === 'controlplane').map((n) => `${n.name}@${n.host}`),
    ).toEqual(['k8s-ctrl-1@baldar', 'k8s-ctrl-2@heimdall', 'k8s-ctrl-3@odin']);
    const hosts = ['baldar', 'heimdall', 'odin', 'thor'];
    for (let i = 1; i <= 12; i++)
      expect(byName[`k8s-work-${i}`]?.host).toBe(hosts[Math.floor((i - 1) / 3)]);
    expect(inventory.nodes.filter((n) => n.gpu).map((n) => n.name)).toEqual([
      'k8s-work-4',
      'k8s-work-10',
    ]);
    expect(byName['k8s-work-4']?.patches).toEqual(['nvidia-gpu']);
    expect(byName['k8s-work-4']?.schematic).not.toBe(byName['k8s-work-5']?.schematic);
    expect(byName['k8s-work-4']?.template).toBe('heimdall-gpu');
    expect(inventory.templates['heimdall-gpu']?.address).toBe('module.template_heimdall_gpu');
    expect(byName['k8s-ctrl-2']?.terraformAddresses).toEqual([
      'module.control_plane_nodes["k8s-ctrl-2"]',
    ]);
    expect(byName['k8s-work-12']?.terraformAddresses).toEqual([
      'module.worker_nodes["k8s-work-12"]',
    ]);
    expect(inventory.nodes.filter((n) => n.role === 'worker').every((n) => n.storage?.osd)).toBe(
      true,
    );
    expect(inventory.expectedEtcdMembers).toBe(3);
  });

  it('derives the policy and durations with overrides', () => {
    const s = loadScenario(
      'base: reference\nname: x\npolicy: { drain: { gracefulSeconds: 10 } }\ndurations: { replace-vm: 7 }\n',
      'x',
    );
    expect(derivePolicy(s).drain.gracefulSeconds).toBe(10);
    expect(derivePolicy(s).drain.forceAfterGrace).toBe(true);
    expect(deriveDurations(s)['replace-vm']).toBe(7);
    expect(deriveDurations(s)['wait-ready']).toBe(150);
  });

  it.each(readdirSync(EXAMPLES).filter((f) => /^(reference|fault-|small-)/.test(f)))(
    'example %s loads',
    (file) => {
      expect(() => loadScenario(readFileSync(join(EXAMPLES, file), 'utf8'), file)).not.toThrow();
    },
  );
});
