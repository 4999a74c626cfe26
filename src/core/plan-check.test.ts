import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { exitCodeFor } from './errors.js';
import { STEP_ACTIONS } from './plan.js';
import type { Plan, PlanStep, UpgradeKind } from './plan.js';
import { buildPlan } from './plan-build.js';
import { checkPlan } from './plan-check.js';
import { clusterStep, nodeStep } from './plan-common.js';
import { DEFAULT_POLICY } from './policy.js';
import { selectPlan } from './selection.js';
import { exampleStep } from './testing/example-steps.js';

const inventory = referenceInventory();

function plan(kind: UpgradeKind, hops?: string[]): Plan {
  return buildPlan(kind, {
    inventory,
    policy: DEFAULT_POLICY,
    from: kind === 'pets' && hops ? '1.8.4' : '1.10.8',
    to: kind === 'pets' ? (hops?.at(-1) ?? '1.10.9') : kind === 'kubernetes' ? '1.10.8' : '1.11.0',
    ...(hops ? { hops } : {}),
    kubernetes: { from: '1.33.5', to: kind === 'kubernetes' ? '1.34.0' : '1.33.5' },
    customChecks: ['rook-ok'],
  });
}

/** A copy of the cattle plan as JSON would carry it, with `change` applied to one step. */
function withStep(id: string, change: (step: Record<string, unknown>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(plan('cattle'))) as {
    phases: { steps: Record<string, unknown>[]; units: { steps: Record<string, unknown>[] }[] }[];
  };
  const step = copy.phases
    .flatMap((p) => [...p.steps, ...p.units.flatMap((u) => u.steps)])
    .find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id}`);
  change(step);
  return copy;
}

function refusal(value: unknown): { code?: string; message?: string; details?: unknown } {
  try {
    checkPlan(value);
  } catch (error) {
    expect(exitCodeFor(error)).toBe(2);
    return error as { code: string; message: string; details: unknown };
  }
  throw new Error('the plan was accepted');
}

describe('checkPlan: a plan is refused unless every step has its action and params', () => {
  it.each([
    ['cattle', plan('cattle')],
    ['pets', plan('pets')],
    ['kubernetes', plan('kubernetes')],
    ['pets, two hops', plan('pets', ['1.10.9', '1.11.3'])],
    ['a canary of cattle', selectPlan(plan('cattle'), inventory, { canary: 2 })],
    ['templates only', selectPlan(plan('cattle'), inventory, { phases: ['templates'] })],
  ])('every plan the builders make passes, also as JSON read back (%s)', (_name, built) => {
    expect(checkPlan(built)).toBe(built);
    expect(() => checkPlan(JSON.parse(JSON.stringify(built)))).not.toThrow();
  });

  it('the example step of every action passes (the schema knows every action)', () => {
    const steps: PlanStep[] = STEP_ACTIONS.map((action) => exampleStep(action, `n-${action}`));
    const base = plan('cattle');
    expect(() =>
      checkPlan({ ...base, phases: [{ ...base.phases[0]!, steps, units: [] }] }),
    ).not.toThrow();
  });

  it.each([
    ['without addresses', (s: Record<string, unknown>) => void (s.params = {})],
    ['with empty addresses', (s: Record<string, unknown>) => void (s.params = { addresses: [] })],
    [
      'with an empty address',
      (s: Record<string, unknown>) => void (s.params = { addresses: [''] }),
    ],
  ])('a replace-vm %s is refused, naming the step and the field', (_name, change) => {
    const error = refusal(withStep('k8s-work-1/replace-vm', change));
    expect(error.code).toBe('PLAN_INVALID');
    expect(error.message).toMatch(/^plan: step k8s-work-1\/replace-vm: params\.addresses/);
    expect(error.details).toMatchObject({ stepId: 'k8s-work-1/replace-vm' });
  });

  it('an unknown action is refused, naming the step', () => {
    const error = refusal(withStep('k8s-work-1/drain', (s) => void (s.action = 'reboot')));
    expect(error.message).toMatch(/^plan: step k8s-work-1\/drain: action: /);
  });

  it.each([
    ['cluster/gate-api-stable', 'passes', '3', 'params.passes'],
    ['cluster/gate-api-stable', 'passes', 0, 'params.passes'],
    ['k8s-work-1/gate-health', 'checks', 'coredns', 'params.checks'],
    ['k8s-ctrl-1/wait-etcd-rejoin', 'expectedMembers', undefined, 'params.expectedMembers'],
    ['cluster/validate-cluster', 'expectedNodes', [], 'params.expectedNodes'],
  ])('%s with %s = %j is refused (%s)', (id, key, value, field) => {
    const error = refusal(
      withStep(id, (s) => void ((s.params as Record<string, unknown>)[key] = value)),
    );
    expect(error.message).toContain(`step ${id}: ${field}`);
  });

  it('a param this version does not know is refused, not ignored', () => {
    const error = refusal(withStep('k8s-work-1/drain', (s) => void (s.params = { force: true })));
    expect(error.message).toContain('step k8s-work-1/drain: params');
  });

  it.each([
    ['another node', 'w-9'],
    ['no node', undefined],
  ])("a step of a node's unit that acts on %s is refused", (_name, node) => {
    const error = refusal(withStep('k8s-work-1/drain', (s) => void (s.node = node)));
    expect(error.message).toContain('step k8s-work-1/drain: node: the unit of k8s-work-1 holds');
  });

  it('a plan that is not one at all is refused by the field', () => {
    expect(refusal({ schemaVersion: 2 }).message).toMatch(/^plan: schemaVersion: /);
    expect(refusal(null).message).toMatch(/^plan: plan: /);
  });

  it('two steps with one id are refused', () => {
    const built = plan('cattle');
    const phase = built.phases[0]!;
    const twice = { ...built, phases: [{ ...phase, steps: [...phase.steps, phase.steps[0]!] }] };
    expect(refusal(twice).code).toBe('PLAN_DUPLICATE_STEP');
  });
});

describe('the step types: a step without its params does not compile', () => {
  it('the builders take each action with its own params only', () => {
    const node = inventory.nodes[0]!;
    // @ts-expect-error replace-vm needs its addresses
    nodeStep(node, 'replace-vm', 'Recreate');
    // @ts-expect-error replace-vm's addresses are never empty
    nodeStep(node, 'replace-vm', 'Recreate', { addresses: [] });
    // @ts-expect-error talos-upgrade needs its image
    nodeStep(node, 'talos-upgrade', 'Upgrade', { version: '1.11.0' });
    // @ts-expect-error k8s-upgrade says whether it is a dry run
    clusterStep('k8s-upgrade', 'Upgrade Kubernetes', { to: '1.34.1' }, 1);
    // @ts-expect-error another action's params
    clusterStep('gate-api-stable', 'API stable', { checks: ['coredns'] });
    // @ts-expect-error a step literal without its params
    const literal: PlanStep = { id: 'w/replace-vm', action: 'replace-vm', params: {}, title: 't' };
    const fine: PlanStep[] = [
      nodeStep(node, 'cordon', 'Cordon'),
      nodeStep(node, 'replace-vm', 'Recreate', { addresses: ['module.vm'] }),
      literal,
    ];
    expect(fine).toHaveLength(3);
  });

  it('a handler reads only its own action’s params', () => {
    const anyStep = (): PlanStep => exampleStep('replace-vm', 'w');
    const step = anyStep();
    // @ts-expect-error not every step has addresses
    expect(step.params.addresses).toBeDefined();
    if (step.action === 'replace-vm') expect(step.params.addresses[0]).toBeTypeOf('string');
  });
});
