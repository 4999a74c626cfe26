import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from './policy.js';
import type { DisruptionPolicy } from './policy.js';
import { policyCapWarnings } from './policy-caps.js';

const with_ = (d: Partial<DisruptionPolicy>) => ({
  ...DEFAULT_POLICY,
  disruption: { ...DEFAULT_POLICY.disruption, ...d },
});

describe('policyCapWarnings', () => {
  it('petsBatchSize above maxUnavailableWorkers: names both fields and what applies', () => {
    expect(policyCapWarnings(with_({ petsBatchSize: 3, maxUnavailableWorkers: 1 }), 12)).toEqual([
      'policy.disruption.petsBatchSize (3) is capped by policy.disruption.maxUnavailableWorkers (1): pets upgrades take at most 1 worker(s) at once',
    ]);
  });

  it('more domains than workers, more workers than the cluster has', () => {
    const warnings = policyCapWarnings(
      with_({ maxUnavailableWorkers: 20, maxUnavailableDomains: 30, petsBatchSize: 3 }),
      12,
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(
      /maxUnavailableDomains \(30\) is capped by .*maxUnavailableWorkers \(20\)/,
    );
    expect(warnings[1]).toMatch(/maxUnavailableWorkers \(20\) is more than the 12 worker/);
  });

  it('a policy whose settings all take effect: no warning', () => {
    expect(
      policyCapWarnings(
        with_({ maxUnavailableWorkers: 3, maxUnavailableDomains: 1, petsBatchSize: 3 }),
        12,
      ),
    ).toEqual([]);
  });

  it('only what the operator wrote: a default capped by another default says nothing', () => {
    const policy = with_({ petsBatchSize: 3, maxUnavailableWorkers: 1 });
    expect(policyCapWarnings(policy, 12, new Set())).toEqual([]);
    expect(policyCapWarnings(policy, 12, new Set(['petsBatchSize']))).toHaveLength(1);
  });
});
