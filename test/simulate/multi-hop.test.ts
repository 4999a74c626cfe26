/**
 * A multi-hop route is one plan with a phase per hop (issue 13): Talos 1.8.4 -> 1.11.0 in place
 * goes through 1.10.9, the newest 1.10 patch the data knows (1.11 needs a host at >= 1.9.0:
 * siderolabs/talos v1.11.6 pkg/machinery/compatibility/talos_version.go, enforced by the twin as
 * the installer's pre-flight does). A run that dies inside hop 2 resumes inside hop 2: no step of
 * hop 1 runs again, and every node is upgraded in place exactly once per hop.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/core/plan-build.js';
import { allSteps } from '../../src/core/plan.js';
import { referenceScenario } from '../../src/adapters/simulated/index.js';
import { createSimulatedCluster } from '../../src/adapters/simulated/index.js';
import { crashAndResume, scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const HOUR = 3600;

function multiHopScenario(dir: string): string {
  return scenarioFile(dir, 'multi-hop-pets', (s) => {
    s.upgrade = {
      kind: 'pets',
      talos: { from: '1.8.4', to: '1.11.0' },
      kubernetes: { from: '1.30.5', to: '1.30.5' },
    };
  });
}

interface Audit {
  runId: string;
  stepId?: string;
  node?: string;
  operation: string;
  inputs: Record<string, unknown>;
}
const auditOf = (file: string): Audit[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Audit);

describe('a multi-hop route as one plan', () => {
  it('upgrades every node through each hop, at the latest known patch of the intermediate line', async () => {
    const dir = tempDir();
    const audit = join(dir, 'audit.jsonl');
    const run = await simulateInProcess({
      scenarioFile: multiHopScenario(dir),
      allow: { allowMultiHop: true },
      auditFile: audit,
    });
    expect(run.report.violations).toEqual([]);
    expect(run.exitCode).toBe(0);
    const upgrades = auditOf(audit).filter((a) => a.operation === 'talos.upgrade');
    const versions = upgrades.map((a) => String(a.inputs.image).replace(/.*:v/, ''));
    expect(versions.slice(0, 15)).toEqual(Array(15).fill('1.10.9'));
    expect(versions.slice(15)).toEqual(Array(15).fill('1.11.0'));
  });

  it('resumes a run that died in hop 2 in hop 2, without redoing hop 1', async () => {
    const dir = tempDir();
    const file = multiHopScenario(dir);
    // The steps of hop 1, then into hop 2's first control plane node (past its upgrade call).
    const cluster = await createSimulatedCluster({ scenario: referenceScenario(), seed: 1 });
    await cluster.close();
    const plan = buildPlan('pets', {
      inventory: cluster.inventory,
      policy: cluster.policy,
      from: '1.8.4',
      to: '1.11.0',
      hops: ['1.10.9', '1.11.0'],
    });
    const hop1 = allSteps({ ...plan, phases: plan.phases.filter((p) => p.hop === '1.10.9') });
    const audit = join(dir, 'audit.jsonl');
    const run = await crashAndResume({
      scenarioFile: file,
      allow: { allowMultiHop: true },
      crashAfterSteps: hop1.length + 1 + 5,
      advanceSeconds: HOUR,
      auditFile: audit,
    });
    expect(run.crashed).toBe(true);
    expect(run.resumed?.report.violations).toEqual([]);
    expect(run.resumed?.exitCode).toBe(0);
    expect(run.resumed?.report.resumed).toBe(true);

    const records = auditOf(audit);
    const firstRun = records[0]!.runId;
    expect(records.every((r) => r.runId === firstRun)).toBe(true);
    // The resumed part of the log: everything after the last record of hop 1.
    const lastHop1 = records.map((r) => r.stepId?.endsWith('@1.10.9') ?? false).lastIndexOf(true);
    const firstHop2 = records.findIndex((r) => r.stepId?.endsWith('@1.11.0'));
    expect(firstHop2).toBeGreaterThan(lastHop1);
    // Exactly one in-place upgrade per node per hop, across both runs.
    const upgrades = records.filter((r) => r.operation === 'talos.upgrade');
    const perNodeAndHop = new Map<string, number>();
    for (const u of upgrades) {
      const key = `${u.node}@${String(u.inputs.image).replace(/.*:v/, '')}`;
      perNodeAndHop.set(key, (perNodeAndHop.get(key) ?? 0) + 1);
    }
    expect(perNodeAndHop.size).toBe(30);
    expect([...perNodeAndHop.values()].every((n) => n === 1)).toBe(true);
  });
});
