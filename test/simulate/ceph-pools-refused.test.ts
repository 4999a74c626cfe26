/**
 * Ceph pools that tolerate no storage domain down: the run is refused before anything is
 * touched (apart from ceph-pools.test.ts so that the mutation check runs this alone).
 */
import { describe, expect, it } from 'vitest';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();

describe('storage domains capped by the Ceph pools', () => {
  it('pools that tolerate no domain down: refused before anything is touched (exit 3)', async () => {
    const scenario = scenarioFile(dir, 'pools-tolerate-0', (s) => {
      s.storage.toleratedDomainsDown = 0;
    });
    const { exitCode, report } = await simulateInProcess({ scenarioFile: scenario });
    expect(exitCode).toBe(3);
    expect(report.failure?.code).toBe('STORAGE_POOLS_NO_TOLERANCE');
    expect(report.failure?.message).toContain(
      'CephBlockPool rook-ceph/replicapool (size 1, min_size 1',
    );
    expect(report.violations).toEqual([]);
    // Not a node, not a template: nothing started.
    expect(report.nodes.flatMap((n) => n.steps)).toEqual([]);
    expect(report.clusterSteps).toEqual([]);
  });
});
