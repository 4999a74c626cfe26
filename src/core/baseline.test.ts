import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { baselineSeconds } from './baseline.js';
import { DEFAULT_STEP_DURATIONS } from './durations.js';
import { lowerBoundSeconds } from './lower-bound.js';
import { buildPlan } from './plan-build.js';
import { DEFAULT_POLICY } from './policy.js';
import type { Policy } from './policy.js';

const D = DEFAULT_STEP_DURATIONS;
const withWorkers = (w: number, k: number): Policy => ({
  ...DEFAULT_POLICY,
  disruption: { ...DEFAULT_POLICY.disruption, maxUnavailableWorkers: w, maxUnavailableDomains: k },
});
const cattle = (policy: Policy) =>
  buildPlan('cattle', {
    inventory: referenceInventory(),
    policy,
    from: '1.10.8',
    to: '1.11.0',
    kubernetes: { from: '1.33.5', to: '1.33.5' },
  });

/** Nominal seconds of a reference cattle unit (durations.ts). */
const CONTROL_PLANE = 5 + 1 + 60 + 10 + 8 + 10 + 300 + 240 + 20 + 150 + 2 + 30 + 1;
const WORKER = 5 + 2 + 1 + 60 + 10 + 300 + 240 + 20 + 150 + 2 + 2 + 1 + 30;

describe('baselineSeconds', () => {
  it('the reference cattle plan one node at a time: every step at its nominal duration', () => {
    // 6 templates in waves of 2, their check; 3 control plane units; the API gate; 12 workers
    // (two with GPUs waiting 60 s more); the validation.
    expect(baselineSeconds(cattle(DEFAULT_POLICY), D)).toBe(
      3 * 180 + 5 + 3 * CONTROL_PLANE + 15 + 12 * WORKER + 2 * 60 + 30,
    );
  });

  it('is the same whatever the disruption policy (one node at a time by definition), above the bound', () => {
    const sequential = cattle(withWorkers(1, 1));
    const batched = cattle(withWorkers(3, 1));
    expect(baselineSeconds(batched, D)).toBe(baselineSeconds(sequential, D));
    expect(baselineSeconds(batched, D)).toBeGreaterThan(
      lowerBoundSeconds(sequential, referenceInventory(), D),
    );
  });

  it('follows the durations it is given', () => {
    const slower = { ...D, 'replace-vm': D['replace-vm'] + 100 };
    expect(
      baselineSeconds(cattle(DEFAULT_POLICY), slower) - baselineSeconds(cattle(DEFAULT_POLICY), D),
    ).toBe(15 * 100);
  });
});
