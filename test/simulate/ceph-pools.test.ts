/**
 * The storage domains down at once are capped by what the Ceph pools tolerate, not only by the
 * policy: the twin serves Rook pools derived from `storage.toleratedDomainsDown` (size 2t+1,
 * Ceph's default min_size), its Ceph model and invariant checker count with the same numbers,
 * and Drover reads the pools (in memory and over HTTP with the real client). (Pools that
 * tolerate nothing: ceph-pools-refused.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/engine/context.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

const HOST: Record<string, string> = {};
['baldar', 'heimdall', 'odin', 'thor'].forEach((host, h) => {
  for (let i = 1; i <= 3; i++) HOST[`k8s-work-${h * 3 + i}`] = host;
});

/** The hosts of each worker batch's one apply. */
function batchHosts(auditFile: string): string[][] {
  return readFileSync(auditFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord)
    .filter((r) => r.operation === 'infrastructure.apply' && r.node?.startsWith('k8s-work'))
    .map((r) => [...new Set((r.inputs.batch as string[]).map((n) => HOST[n]!))]);
}

const twoDomains = (tolerated: number) =>
  scenarioFile(dir, `pools-tolerate-${tolerated}`, (s) => {
    s.policy.disruption = { maxUnavailableWorkers: 6, maxUnavailableDomains: 2 };
    s.storage.toleratedDomainsDown = tolerated;
  });

describe('storage domains capped by the Ceph pools', () => {
  it.each(['memory', 'http'] as const)(
    'policy 2 domains over 3-replica pools (--api %s): one storage domain at a time, said in the report',
    async (api) => {
      const auditFile = join(dir, `audit-capped-${api}.jsonl`);
      const { exitCode, report } = await simulateInProcess({
        scenarioFile: twoDomains(1),
        auditFile,
        api,
      });
      expect(report.violations).toEqual([]);
      expect(exitCode).toBe(0);
      const batches = batchHosts(auditFile);
      expect(batches.length).toBeGreaterThanOrEqual(4);
      for (const hosts of batches) expect(hosts).toHaveLength(1);
      expect(report.notes).toContainEqual(
        expect.stringMatching(/^policy allows 2 storage domains; pools tolerate 1: capped at 1 \(/),
      );
      for (const node of report.nodes) expect(node.vmReplacements, node.name).toBe(1);
    },
  );

  it('pets under the same policy and pools: one storage domain at a time, no violation', async () => {
    const { exitCode, report } = await simulateInProcess({
      scenarioFile: twoDomains(1),
      kind: 'pets',
    });
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.kind).toBe('pets');
    // Upgrades of workers on two hosts never overlap.
    const upgrades = report.nodes
      .filter((n) => n.name.startsWith('k8s-work'))
      .map((n) => ({
        host: HOST[n.name]!,
        from: Date.parse(n.startedAt!),
        to: Date.parse(n.finishedAt!),
      }));
    for (const a of upgrades)
      for (const b of upgrades)
        if (a.host !== b.host)
          expect(a.to <= b.from || b.to <= a.from, `${a.host}/${b.host}`).toBe(true);
  });

  it('pools that tolerate two domains let the policy take two hosts at once', async () => {
    const auditFile = join(dir, 'audit-two.jsonl');
    const { exitCode, report } = await simulateInProcess({
      scenarioFile: twoDomains(2),
      auditFile,
    });
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(0);
    expect(batchHosts(auditFile).some((hosts) => hosts.length === 2)).toBe(true);
    expect(report.notes.filter((n) => n.startsWith('policy allows'))).toEqual([]);
  });
});
