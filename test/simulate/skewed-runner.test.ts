/**
 * A second runner whose clock is off by minutes contends for the upgrade lease (the
 * `skewed-runner` fault): a correct run never steals its live lease (its renewTimes look stale
 * or future to anyone comparing clocks) and never acts without holding the lease itself.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { SimulatedCrash } from '../../src/app/simulate/run-simulate.js';
import { scenarioFile, simulateInProcess, tempDir } from './helpers.js';

const dir = tempDir();
const OTHER = 'drover/other-host/skewed-run/5ca1ab1e0000';

describe('a second runner with a skewed clock (invariant single-lease-holder)', () => {
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

  it('the run crashes: it takes the dead run’s lease after one TTL on its own clock (a resume then is refused); once it let go, the resume finishes', async () => {
    const file = scenarioFile(dir, 'skewed-after-crash', (s) => {
      s.faults = [
        { type: 'skewed-runner', skewSeconds: -600, fromSeconds: 60, holdSeconds: 900 },
      ] as never;
    });
    const files = {
      worldFile: join(dir, 'skewed-world.json'),
      journalFile: join(dir, 'skewed-journal.jsonl'),
    };
    await expect(
      simulateInProcess({ scenarioFile: file, ...files, crashAfterSteps: 12 }),
    ).rejects.toBeInstanceOf(SimulatedCrash);
    // Ten minutes later it holds the lease the dead run left (unchanged for 300 s on its clock).
    await expect(
      simulateInProcess({ scenarioFile: file, ...files, resume: true, advanceSeconds: 600 }),
    ).rejects.toMatchObject({
      code: 'LOCK_HELD',
      message: expect.stringContaining(OTHER) as unknown as string,
    });
    // Half an hour later it has released it: the resume finishes, every VM replaced once.
    const resumed = await simulateInProcess({
      scenarioFile: file,
      ...files,
      resume: true,
      advanceSeconds: 1800,
    });
    expect(resumed.report.violations).toEqual([]);
    expect(resumed.exitCode).toBe(0);
    expect(resumed.report.nodes.every((n) => n.vmReplacements === 1)).toBe(true);
  });
});
