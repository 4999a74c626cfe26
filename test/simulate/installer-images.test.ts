/**
 * Before the first node (issue 13): an installer image the registry lacks refuses the run
 * (exit 3) naming the nodes and the image, and nothing is cordoned: the fake API server's own
 * request log (--api http) has no write to a node. An unanswering registry refuses with its own
 * code. On the happy path every node pulls its installer image while still in service
 * (`talosctl image pull --namespace system`), recorded by the twin, before the first cordon.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GPU_SCHEMATIC as GPU_SCHEMATIC_OF_REFERENCE } from '../../src/adapters/simulated/scenario/reference.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';
import type { Scenario } from '../../src/adapters/simulated/index.js';

function pets(dir: string, name: string, registry?: Scenario['registry']): string {
  return scenarioFile(dir, name, (s) => {
    s.upgrade = {
      kind: 'pets',
      talos: { from: '1.10.8', to: '1.10.9' },
      kubernetes: { from: '1.33.5', to: '1.33.5' },
    };
    if (registry) s.registry = registry;
  });
}

const writesToNodes = (requests: Record<string, number> | undefined) =>
  Object.keys(requests ?? {}).filter((k) => /^(PATCH|PUT|POST|DELETE) nodes/.test(k));

describe('installer images before the first node', () => {
  it('refuses a missing image before any cordon, naming the nodes and the image', async () => {
    const dir = tempDir();
    const audit = join(dir, 'audit.jsonl');
    const run = await simulateInProcess({
      scenarioFile: pets(dir, 'missing-gpu-installer', {
        missing: [{ node: 'k8s-work-4' }],
        unreachable: false,
      }),
      api: 'http',
      auditFile: audit,
    });
    expect(run.exitCode).toBe(3);
    expect(run.report.failure).toMatchObject({
      code: 'INSTALLER_IMAGE_MISSING',
      category: 'refused',
    });
    const image = `factory.talos.dev/nocloud-installer/${GPU_SCHEMATIC_OF_REFERENCE}:v1.10.9`;
    // The GPU schematic is shared: both GPU workers need the missing image.
    expect(run.report.failure?.message).toContain(`${image} of k8s-work-4, k8s-work-10`);
    expect(run.report.violations).toEqual([]);
    // The twin's API server saw no write to any node: nothing was cordoned.
    expect(run.report.apiRequests?.total).toBeGreaterThan(0);
    expect(writesToNodes(run.report.apiRequests)).toEqual([]);
    const operations = readFileSync(audit, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { operation: string }).operation);
    expect(operations).not.toContain('kubernetes.cordon');
    expect(operations).not.toContain('talos.upgrade');
    expect(operations).not.toContain('talos.pullImage');
    expect(run.report.nodes.every((n) => n.steps.every((s) => s.outcome !== 'succeeded'))).toBe(
      true,
    );
  });

  it('cattle: refuses a template’s missing image before any template rebuild and any cordon, naming template, host and image', async () => {
    const dir = tempDir();
    const audit = join(dir, 'audit.jsonl');
    const file = scenarioFile(dir, 'missing-gpu-template-image', (s) => {
      // The GPU flavor's schematic at the target: what the GPU templates' clones install.
      s.registry = { missing: [{ node: 'k8s-work-4', version: '1.11.0' }], unreachable: false };
    });
    const run = await simulateInProcess({ scenarioFile: file, api: 'http', auditFile: audit });
    expect(run.exitCode).toBe(3);
    expect(run.report.kind).toBe('cattle');
    expect(run.report.failure).toMatchObject({
      code: 'INSTALLER_IMAGE_MISSING',
      category: 'refused',
    });
    const image = `factory.talos.dev/nocloud-installer/${GPU_SCHEMATIC_OF_REFERENCE}:v1.11.0`;
    expect(run.report.failure?.message).toContain(`${image} of template module.template_`);
    expect(run.report.failure?.message).toMatch(/template module\.template_\w+ \(gpu on \w+\)/);
    expect(run.report.failure?.message).toContain('no template rebuilt');
    // Only the GPU flavor's image is missing: the base templates are not named.
    expect(run.report.failure?.message).not.toContain('(base on');
    expect(writesToNodes(run.report.apiRequests)).toEqual([]);
    const operations = readFileSync(audit, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { operation: string }).operation);
    expect(operations).toContain('registry.manifest');
    expect(operations).not.toContain('kubernetes.cordon');
    expect(operations.filter((o) => o.startsWith('infrastructure.'))).toEqual([]);
    expect(run.report.violations).toEqual([]);
  });

  it('refuses with its own code when the registry does not answer, before any cordon', async () => {
    const dir = tempDir();
    const run = await simulateInProcess({
      scenarioFile: pets(dir, 'registry-down', { missing: [], unreachable: true }),
      api: 'http',
    });
    expect(run.exitCode).toBe(3);
    expect(run.report.failure).toMatchObject({ code: 'REGISTRY_UNREACHABLE', category: 'refused' });
    expect(run.report.failure?.hint).toMatch(/HTTPS_PROXY/);
    expect(writesToNodes(run.report.apiRequests)).toEqual([]);
  });

  it('pre-pulls every node’s installer image before the first cordon, and the twin records it', async () => {
    const dir = tempDir();
    const audit = join(dir, 'audit.jsonl');
    const worldFile = join(dir, 'world.json');
    const run = await simulateInProcess({
      scenarioFile: pets(dir, 'pre-pull'),
      auditFile: audit,
      worldFile,
    });
    expect(run.exitCode).toBe(0);
    const records = readFileSync(audit, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(
        (l) => JSON.parse(l) as { operation: string; node?: string; inputs: { image?: string } },
      );
    const firstCordon = records.findIndex((r) => r.operation === 'kubernetes.cordon');
    const pulls = records.filter((r) => r.operation === 'talos.pullImage');
    expect(pulls).toHaveLength(15);
    expect(records.findLastIndex((r) => r.operation === 'talos.pullImage')).toBeLessThan(
      firstCordon,
    );
    const world = JSON.parse(readFileSync(worldFile, 'utf8')) as {
      world: { pulledImages: Record<string, string[]> };
    };
    expect(world.world.pulledImages['k8s-work-4']).toEqual([
      `factory.talos.dev/nocloud-installer/${GPU_SCHEMATIC_OF_REFERENCE}:v1.10.9`,
    ]);
    expect(Object.keys(world.world.pulledImages)).toHaveLength(15);
    expect(run.report.notes.join('\n')).toMatch(/pre-pulled on 15 node/);
  });
});
