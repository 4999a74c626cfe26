/**
 * Issue 15: the capacity check. A tight cluster (the workers staying in service have room for
 * two of the three pods a baldar batch evicts) batches fewer workers at once; the reference
 * cluster (pods without requests) keeps its batches of three.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

function cordons(audit: string): { node: string; at: number }[] {
  return readFileSync(audit, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { operation: string; node?: string; at: number })
    .filter((e) => e.operation === 'kubernetes.cordon' && e.node?.startsWith('k8s-work'))
    .map((e) => ({ node: e.node ?? '', at: e.at }));
}

describe('capacity check before a batch of workers goes out of service', () => {
  it('a tight cluster batches fewer workers than the budget allows', async () => {
    const file = scenarioFile(dir, 'capacity-tight', (s) => {
      s.upgrade.kind = 'pets';
      s.upgrade.talos.to = '1.10.9';
      // Only the fill pods request anything here (the reference's own requests are left out).
      for (const w of [...s.workloads.deployments, ...s.workloads.statefulsets]) delete w.requests;
      s.workloads.deployments.push({
        namespace: 'batch',
        name: 'fill',
        replicas: 12,
        on: 'workers',
        spreadAcrossNodes: false,
        emptyDir: false,
        requests: { cpu: '1500m', memory: '1Gi' },
      } as never);
      for (const n of s.nodes)
        if (n.role === 'worker')
          (n as { allocatable?: object }).allocatable = [
            'k8s-work-1',
            'k8s-work-2',
            'k8s-work-3',
            'k8s-work-4',
            'k8s-work-5',
          ].includes(n.name)
            ? { cpu: '3', memory: '8Gi' }
            : { cpu: '1500m', memory: '8Gi' };
    });
    const audit = join(dir, 'capacity-tight.audit.jsonl');
    const { report } = await simulateInProcess({ scenarioFile: file, auditFile: audit });
    expect(report.violations).toEqual([]);
    expect(report.outcome).toBe('succeeded');
    // Budget: baldar's three at once. Room beside them (k8s-work-4 and -5, 1500m free each, and
    // a batch mate left in service) holds two of the three evicted 1500m pods: two go first.
    const first = cordons(audit).filter((c) => c.at === cordons(audit)[0]?.at);
    expect(first.map((c) => c.node)).toEqual(['k8s-work-1', 'k8s-work-2']);
  }, 120_000);

  it('no room for the pods of even one worker: no worker goes, the run stops with CAPACITY_SHORT', async () => {
    const file = scenarioFile(dir, 'capacity-none', (s) => {
      s.upgrade.kind = 'pets';
      s.upgrade.talos.to = '1.10.9';
      // Only the fill pods request anything here (the reference's own requests are left out).
      for (const w of [...s.workloads.deployments, ...s.workloads.statefulsets]) delete w.requests;
      s.workloads.deployments.push({
        namespace: 'batch',
        name: 'fill',
        replicas: 12,
        on: 'workers',
        spreadAcrossNodes: false,
        emptyDir: false,
        requests: { cpu: '1500m', memory: '1Gi' },
      } as never);
      for (const n of s.nodes)
        if (n.role === 'worker')
          (n as { allocatable?: object }).allocatable = { cpu: '1500m', memory: '8Gi' };
    });
    const audit = join(dir, 'capacity-none.audit.jsonl');
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file, auditFile: audit });
    expect(report.violations).toEqual([]);
    expect(cordons(audit)).toEqual([]);
    expect(exitCode).toBe(3);
    expect(report.failure?.code).toBe('CAPACITY_SHORT');
    expect(report.failure?.message).toMatch(
      /3 evicted pod\(s\) would find no room on the 9 schedulable worker\(s\) .* \(short 4500m CPU, 3.0Gi memory/,
    );
  }, 120_000);

  it('the reference cluster, its pods with requests, still batches three workers', async () => {
    const file = scenarioFile(dir, 'capacity-reference', (s) => {
      s.upgrade.kind = 'pets';
      s.upgrade.talos.to = '1.10.9';
    });
    const audit = join(dir, 'capacity-reference.audit.jsonl');
    const { report } = await simulateInProcess({ scenarioFile: file, auditFile: audit });
    expect(report.outcome).toBe('succeeded');
    const all = cordons(audit);
    expect(all.filter((c) => c.at === all[0]?.at).map((c) => c.node)).toEqual([
      'k8s-work-1',
      'k8s-work-2',
      'k8s-work-3',
    ]);
  }, 120_000);
});
