/**
 * `drover simulate --api http`: the real @kubernetes/client-node adapter against the fake API
 * server started in-process, over the simulated cluster's state. The reference cattle upgrade
 * must succeed with zero violations, quickly, and its request counts must show that waiting is
 * done with watches, not polls, and that gates read watch caches, not the server.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { simulateInProcess } from './helpers.js';

describe('drover simulate --api http', () => {
  it('runs the reference cattle upgrade through the real client: succeeded, zero violations, under 30 s', async () => {
    const started = performance.now();
    const { report, exitCode } = await simulateInProcess({ api: 'http' });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `--api http reference run: ${seconds.toFixed(1)} s real time, ${report.apiRequestsPerNode} API requests per replaced node`,
    );
    expect(exitCode).toBe(0);
    expect(report.outcome).toBe('succeeded');
    expect(report.violations).toEqual([]);
    expect(report.nodes.every((n) => n.vmReplacements === 1)).toBe(true);
    expect(seconds).toBeLessThan(30);

    const requests = report.apiRequests ?? {};
    expect(report.apiRequestsPerNode).toBeGreaterThan(0);
    expect(requests.total).toBe(
      Object.entries(requests)
        .filter(([kind]) => kind !== 'total')
        .reduce((sum, [, n]) => sum + n, 0),
    );
    // Waiting for nodes and pods is done by watches: some per replaced node, and no more node
    // reads than a handful per node (a polling wait would read a node every few seconds for the
    // several minutes a boot takes, i.e. hundreds per node).
    const watches = (requests['WATCH nodes'] ?? 0) + (requests['WATCH pods'] ?? 0);
    expect(watches).toBeGreaterThanOrEqual(report.nodes.length);
    const nodeReads = (requests['GET nodes'] ?? 0) + (requests['LIST nodes'] ?? 0);
    expect(nodeReads / report.nodes.length).toBeLessThan(10);
    // The lease is renewed as client-go's leader renews it: one conditional PUT of the record it
    // last wrote, no read first (a GET only to acquire, release, or after a conflict).
    expect(requests['GET leases'] ?? 0).toBeLessThan(5);
    // Gates read nodes, pods and workloads from watch caches (issue 15): each collection is
    // listed about once and then followed by its watch (re-watched when the server closes it at
    // timeoutSeconds, in simulated time), where they were listed afresh on every gate read.
    for (const kind of ['deployments', 'statefulsets', 'daemonsets'])
      expect(requests[`LIST ${kind}`] ?? 0).toBeLessThanOrEqual(2);
    // About 34 (49 when gates read afresh, 61 before the renewal fast path): lease renewals, the
    // fresh reads the re-check right before each destructive call makes, Ceph, waits.
    expect(report.apiRequestsPerNode).toBeLessThan(40);
    // The caches cost the run no time: within 1.15x the lower bound, as in memory (issue 15).
    expect(report.durationSeconds).toBeLessThanOrEqual(1.15 * report.lowerBoundSeconds);
  }, 60_000);
});
