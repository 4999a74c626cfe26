/**
 * Scenario input as strict as drover.yaml (issue 11): each bad file is exit 2 naming the field
 * with its file:line; versions the router would refuse are exit 3 with the router's code, unless
 * the scenario says it means to. --kind and --to do real upgrades on the reference cluster.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeFor, isDroverError } from '../../src/core/errors.js';
import { simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

async function refusal(text: string, extra: Record<string, unknown> = {}) {
  const file = join(dir, `s-${Math.abs(hash(text))}.yaml`);
  writeFileSync(file, text);
  try {
    await simulateInProcess({ scenarioFile: file, ...extra });
  } catch (error) {
    if (!isDroverError(error)) throw error;
    return { exit: exitCodeFor(error), code: error.code, message: error.message, file };
  }
  throw new Error('expected the scenario to be refused');
}

function hash(text: string): number {
  let h = 0;
  for (const c of text) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

const bomb = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  ...['b', 'c', 'd', 'e', 'f'].map(
    (k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcde'[i]}`).join(',')}]`,
  ),
  'name: bomb',
].join('\n');

describe('bad scenario input: exit 2, naming the field and its line', () => {
  it.each([
    ['a YAML alias bomb', bomb, /Excessive alias count/, undefined],
    [
      'untilSeconds before fromSeconds',
      'base: reference\nname: t\nfaults:\n  - type: node-down\n    node: k8s-work-1\n    fromSeconds: 600\n    untilSeconds: 300\n',
      /faults\[0\]\.untilSeconds: 300 is not after fromSeconds/,
      7,
    ],
    [
      'a when trigger on an unknown node',
      'base: reference\nname: t\nfaults:\n  - type: crash\n    when: { request: replace-vm, node: k8s-work-99 }\n',
      /faults\[0\]\.when\.node: unknown node "k8s-work-99"/,
      5,
    ],
    [
      'a PDB percentage above 100%',
      'base: reference\nname: t\nworkloads:\n  deployments:\n    - name: web\n      namespace: apps\n      replicas: 3\n      pdb: { minAvailable: "150%" }\n',
      /workloads\.deployments\[0\]\.pdb\.minAvailable: must be an integer or a percentage/,
      8,
    ],
    [
      'a PDB maxUnavailable that is neither an integer nor a percentage',
      'base: reference\nname: t\nworkloads:\n  deployments:\n    - name: web\n      replicas: 3\n      pdb: { maxUnavailable: "half" }\n',
      /pdb\.maxUnavailable: must be an integer or a percentage/,
      7,
    ],
    [
      'duplicate node addresses',
      'base: reference\nname: t\nnodes:\n  - { name: cp-1, role: controlplane, host: baldar, address: 10.0.0.1 }\n  - { name: w-1, role: worker, host: baldar, address: 10.0.0.1 }\n',
      /nodes\[1\]\.address: 10\.0\.0\.1 is also the address of nodes\[0\]/,
      5,
    ],
    ['an out-of-range seed', 'base: reference\nname: t\nseed: 4294967296\n', /seed: Too big/, 3],
    [
      'more replicas than the twin holds',
      'base: reference\nname: t\nworkloads:\n  deployments:\n    - { name: big, replicas: 5000 }\n',
      /workloads\.deployments\[0\]\.replicas: Too big/,
      5,
    ],
    [
      'replicas spread across more nodes than exist',
      'base: reference\nname: t\nworkloads:\n  deployments:\n    - { name: wide, replicas: 13, spreadAcrossNodes: true }\n',
      /workloads\.deployments\[0\]\.replicas: 13 replicas spread across nodes, but only 12/,
      5,
    ],
  ] as const)('%s', async (_name, text, problem, line) => {
    const r = await refusal(text);
    expect(r.exit).toBe(2);
    expect(r.code).toBe('SCENARIO_INVALID');
    expect(r.message).toMatch(problem);
    if (line !== undefined) expect(r.message).toContain(`${r.file}:${line}: `);
  });
});

describe('versions the router refuses: exit 3, as route and plan refuse them', () => {
  it.each([
    [
      'a Talos downgrade',
      'talos: { from: 1.11.0, to: 1.10.8 }, kubernetes: { from: 1.33.5 }',
      'DOWNGRADE',
    ],
    [
      'a forbidden Talos hop',
      'talos: { from: 1.8.3, to: 1.11.0 }, kubernetes: { from: 1.30.2 }',
      'FORBIDDEN_HOP',
    ],
    [
      'Kubernetes outside the target Talos line’s range',
      'talos: { from: 1.10.8, to: 1.11.0 }, kubernetes: { from: 1.27.4 }',
      'K8S_OUT_OF_RANGE',
    ],
    [
      'a Kubernetes upgrade that skips a minor',
      'kind: kubernetes, talos: { from: 1.11.0, to: 1.11.0 }, kubernetes: { from: 1.32.4, to: 1.34.0 }',
      'K8S_SKIPPED_MINOR',
    ],
  ] as const)('%s', async (_name, upgrade, code) => {
    const r = await refusal(`base: reference\nname: t\nupgrade: { ${upgrade} }\n`);
    expect([r.exit, r.code]).toEqual([3, code]);
  });

  it('--to below the current version is refused the same way', async () => {
    const r = await refusal('base: reference\nname: t\n', { kind: 'pets', to: '1.10.3' });
    expect([r.exit, r.code]).toEqual([3, 'DOWNGRADE']);
  });

  it('--to that is not a version is bad usage (exit 2)', async () => {
    const r = await refusal('base: reference\nname: t\n', { to: 'latest' });
    expect([r.exit, r.code]).toEqual([2, 'VERSION_INVALID']);
  });

  it('a downgrade the scenario means (upgrade.allowDowngrade) runs, zero violations', async () => {
    const file = join(dir, 'downgrade.yaml');
    writeFileSync(
      file,
      'base: reference\nname: t\nupgrade: { talos: { from: 1.11.0, to: 1.10.8 }, kubernetes: { from: 1.33.5 }, allowDowngrade: true }\n',
    );
    const { exitCode, report } = await simulateInProcess({ scenarioFile: file });
    expect(report.violations).toEqual([]);
    expect([exitCode, report.from, report.to]).toEqual([0, '1.11.0', '1.10.8']);
  });
});

describe('--kind and --to on the reference cluster: real upgrades', () => {
  it('--kind pets upgrades Talos in place to the next patch (1.10.8 -> 1.10.9), no VM replaced', async () => {
    const { exitCode, report } = await simulateInProcess({ kind: 'pets' });
    expect(report.violations).toEqual([]);
    expect([exitCode, report.kind, report.from, report.to]).toEqual([
      0,
      'pets',
      '1.10.8',
      '1.10.9',
    ]);
    expect(report.nodes.every((n) => n.outcome === 'succeeded' && n.vmReplacements === 0)).toBe(
      true,
    );
  });

  it('--kind kubernetes moves Kubernetes one minor (1.33.5 -> 1.34.0) on the cluster at Talos 1.11.0', async () => {
    const { exitCode, report } = await simulateInProcess({ kind: 'kubernetes' });
    expect(report.violations).toEqual([]);
    expect([exitCode, report.kind, report.from, report.to]).toEqual([
      0,
      'kubernetes',
      '1.33.5',
      '1.34.0',
    ]);
  });

  it('--to picks the target: cattle to 1.11.2', async () => {
    const { exitCode, report } = await simulateInProcess({ to: '1.11.2' });
    expect(report.violations).toEqual([]);
    expect([exitCode, report.to]).toEqual([0, '1.11.2']);
    expect(report.nodes.every((n) => n.vmReplacements === 1)).toBe(true);
  });
});
