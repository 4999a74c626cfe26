import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { allSteps } from './plan.js';
import type { UpgradeKind } from './plan.js';
import { buildPlan, planToText } from './plan-build.js';
import type { PlanInput } from './plan-build.js';
import { DEFAULT_POLICY } from './policy.js';

const base: PlanInput = {
  inventory: referenceInventory(),
  policy: DEFAULT_POLICY,
  from: '1.10.8',
  to: '1.11.0',
  kubernetes: { from: '1.33.4', to: '1.34.1' },
};

describe('buildPlan', () => {
  it.each<[UpgradeKind, Partial<PlanInput>, string[]]>([
    ['cattle', {}, ['templates', 'control-plane', 'workers', 'validation']],
    ['pets', { from: '1.11.0', to: '1.11.3' }, ['control-plane', 'workers', 'validation']],
    ['kubernetes', { from: '1.11.0', to: '1.11.0' }, ['kubernetes', 'validation']],
  ])('%s builds its phases', (kind, overrides, phases) => {
    const plan = buildPlan(kind, { ...base, ...overrides });
    expect(plan.kind).toBe(kind);
    expect(plan.phases.map((p) => p.id)).toEqual(phases);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });
});

describe('planToText', () => {
  it.each<[UpgradeKind, Partial<PlanInput>, string[]]>([
    [
      'cattle',
      {},
      [
        'cattle upgrade of cluster reference: Talos 1.10.8 -> 1.11.0',
        '1. Rebuild the VM templates (2 at a time)',
        '2. Replace the control plane, one node at a time (3 nodes)',
        '3. Replace the workers as the disruption policy allows (12 nodes; at most 1 out of service across at most 1 failure domain(s))',
        '   k8s-work-4',
        '     - Wait for the GPUs of k8s-work-4',
        '4. Validate the cluster',
      ],
    ],
    [
      'pets',
      {
        from: '1.11.0',
        to: '1.11.3',
        policy: {
          ...DEFAULT_POLICY,
          disruption: {
            ...DEFAULT_POLICY.disruption,
            maxUnavailableWorkers: 5,
            maxUnavailableDomains: 2,
          },
        },
      },
      [
        // The batch size (3) caps the worker budget (5) for pets.
        '(12 nodes; at most 3 out of service across at most 2 failure domain(s))',
        'Upgrade k8s-ctrl-1 in place to Talos 1.11.3',
      ],
    ],
    [
      'kubernetes',
      { from: '1.11.0', to: '1.11.0', kubernetes: { from: '1.32.0', to: '1.34.1' } },
      [
        'Kubernetes 1.32.0 -> 1.34.1',
        'hops: 1.33.0 -> 1.34.1',
        '   - Dry run of the Kubernetes upgrade to 1.33.0  [to=1.33.0 dryRun=true]',
      ],
    ],
  ])('lists a %s plan readably', (kind, overrides, expectedLines) => {
    const plan = buildPlan(kind, { ...base, ...overrides });
    const text = planToText(plan);
    const lines = text.split('\n');
    for (const expected of expectedLines) expect(text).toContain(expected);
    // Every step appears, by its title.
    for (const step of allSteps(plan)) expect(lines.some((l) => l.includes(step.title))).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('says when a phase has nothing to do', () => {
    const plan = buildPlan('kubernetes', { ...base, kubernetes: { from: '1.34.1', to: '1.34.1' } });
    expect(planToText(plan)).toContain('(nothing to do)');
  });
});
