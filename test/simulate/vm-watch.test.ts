/**
 * The twin compares only the VMs a write touched (World.vmTouched, changes.ts VmWatch) instead
 * of every VM on each reconcile pass. Here every collect also compares every VM and records
 * each change that no touch announced: over the reference run, the fault scenarios and chaos
 * seeds (crashes, node-down, lingering VMs, resumes) there must be none, so the incremental
 * watch sees exactly what the full comparison sees.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmWatch } from '../../src/adapters/simulated/world/changes.js';
import { chaosRun } from './chaos-driver.js';
import { crashAndResume, simulateInProcess } from './helpers.js';

const root = join(import.meta.dirname, '..', '..');
const faultScenarios = readdirSync(join(root, 'examples'))
  .filter((f) => f.startsWith('fault-') && f.endsWith('.yaml'))
  .map((f) => join('examples', f));

describe('VmWatch: the touched VMs are every VM that changed', () => {
  beforeAll(() => {
    VmWatch.verify = true;
  });
  afterAll(() => {
    VmWatch.verify = false;
  });

  it.each(['reference', ...faultScenarios])(
    '%s, cattle and pets',
    async (scenario) => {
      VmWatch.missed.length = 0;
      for (const kind of ['cattle', 'pets'] as const) {
        const options = {
          kind,
          ...(scenario === 'reference' ? {} : { scenarioFile: join(root, scenario) }),
        };
        // Through a crash and a resume (a fresh world, loaded) where the scenario crashes Drover.
        if (scenario.includes('crash')) await crashAndResume({ ...options, advanceSeconds: 600 });
        else await simulateInProcess(options);
      }
      expect(VmWatch.missed).toEqual([]);
    },
    120_000,
  );

  it.each([1, 2, 3, 4, 5, 6])(
    'chaos seed %i, cattle and pets',
    async (seed) => {
      VmWatch.missed.length = 0;
      for (const kind of ['cattle', 'pets'] as const) {
        const outcome = await chaosRun(seed, kind, 'examples/small-cluster.yaml');
        expect(outcome.bug).toBeUndefined();
      }
      expect(VmWatch.missed).toEqual([]);
    },
    120_000,
  );
});
