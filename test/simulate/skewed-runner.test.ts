/**
 * A second runner whose clock is off by minutes contends for the upgrade lease (the
 * `skewed-runner` fault): a correct run never steals its live lease (its renewTimes look stale
 * or future to anyone comparing clocks) and never acts without holding the lease itself.
 */
import { describe, expect, it } from 'vitest';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();
const OTHER = 'drover/other-host/skewed-run/5ca1ab1e0000';

describe('a second runner with a skewed clock (invariant 7)', () => {
  it('holding the lease with renewTimes 10 minutes stale: refused (lock held) before anything starts', async () => {
    const file = scenarioFile(dir, 'skewed-behind', (s) => {
      s.faults = [{ type: 'skewed-runner', skewSeconds: -600, holdSeconds: 3600 }] as never;
    });
    // Refused before anything starts (exit 3): its record is seen changing, so it is alive,
    // although renewTime + TTL is long past on this run's clock.
    await expect(simulateInProcess({ scenarioFile: file })).rejects.toMatchObject({
      code: 'LOCK_HELD',
      category: 'refused',
      message: expect.stringContaining(OTHER) as unknown as string,
    });
  });

  it('contending 10 minutes ahead while the run holds the lease: it never gets it, the run succeeds', async () => {
    const file = scenarioFile(dir, 'skewed-ahead', (s) => {
      s.faults = [
        { type: 'skewed-runner', skewSeconds: 600, fromSeconds: 600, holdSeconds: 600 },
      ] as never;
    });
    const { report, exitCode } = await simulateInProcess({ scenarioFile: file });
    expect(report.violations).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.nodes.every((n) => n.vmReplacements === 1)).toBe(true);
  });
});
