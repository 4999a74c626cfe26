import { describe, expect, it } from 'vitest';
import type { PlanPhase } from '../../core/plan.js';
import type { RunState } from '../context.js';
import { runPhase } from '../run-phase.js';
import { runStep, StepFailure } from '../run-step.js';
import type { StepRunOptions } from '../run-step.js';
import { FakeCluster, FROM, TO } from '../testing/fake-cluster.js';
import type { FakeFaults } from '../testing/fake-cluster.js';
import { testRun } from '../testing/test-run.js';

const templatesPhase = (run: RunState): PlanPhase =>
  run.plan.phases.find((p) => p.id === 'templates') as PlanPhase;

/** The plan's rebuild addresses, in plan order (three in the test inventory). */
const rebuildAddresses = (run: RunState): string[] =>
  templatesPhase(run)
    .steps.filter((s) => s.action === 'rebuild-template')
    .map((s) => s.params.address);

/** A run over `c` (optionally one "process" that can be killed) that records every plan request. */
function setup(
  c: FakeCluster,
  concurrency = 2,
  proc: { killed: boolean } = { killed: false },
): { run: RunState; plans: string[][]; applies: () => number } {
  c.policy.disruption.templateRebuildConcurrency = concurrency;
  const run = testRun(c);
  run.ports = c.ports(proc);
  run.entries = structuredClone(c.journal.entries);
  const plans: string[][] = [];
  const plan = run.ports.infrastructure.plan.bind(run.ports.infrastructure);
  run.ports.infrastructure.plan = (request) => {
    plans.push([...request.replace]);
    return plan(request);
  };
  const applies = () => c.calls.filter((op) => op === 'apply').length;
  return { run, plans, applies };
}

const entriesOf = (c: FakeCluster, stepId: string) =>
  c.journal.entries.filter((e) => e.stepId === stepId).map((e) => [e.type, e.outcome]);

describe('template rebuilds in batches', () => {
  it('a batch of 2 is one backup, one plan with both addresses and one apply; each step journaled on its own', async () => {
    const c = new FakeCluster();
    const { run, plans, applies } = setup(c, 2);
    const [a, b, third] = rebuildAddresses(run) as [string, string, string];
    await runPhase(run, templatesPhase(run), {});
    expect(plans).toEqual([[a, b], [third]]);
    expect(applies()).toBe(2);
    expect(c.backups.size).toBe(2);
    expect(c.violations).toEqual([]);
    expect([...c.templates.values()]).toEqual([TO, TO, TO]);
    for (const address of [a, b, third])
      expect(entriesOf(c, `template/${address}`)).toEqual([
        ['step-started', undefined],
        ['step-finished', 'succeeded'],
      ]);
    // Both steps of the first batch started before its apply and finished after it.
    const at = (type: string, address: string) =>
      c.journal.entries.find((e) => e.type === type && e.stepId === `template/${address}`)!.at;
    expect(at('step-started', b)).toBeLessThan(at('step-finished', a));
  });

  it.each([
    [1, 3],
    [3, 1],
    [5, 1],
  ])('templateRebuildConcurrency %i: %i plan/apply for 3 templates', async (limit, operations) => {
    const c = new FakeCluster();
    const { run, plans, applies } = setup(c, limit);
    await runPhase(run, templatesPhase(run), {});
    expect(plans).toHaveLength(operations);
    expect(plans.flat()).toEqual(rebuildAddresses(run));
    expect(applies()).toBe(operations);
    expect([...c.templates.values()]).toEqual([TO, TO, TO]);
  });

  it('a template already built is skipped on its own and left out of the plan', async () => {
    const c = new FakeCluster();
    const { run, plans } = setup(c, 3);
    const [a, b, third] = rebuildAddresses(run) as [string, string, string];
    c.templates.set(b, TO);
    await runPhase(run, templatesPhase(run), {});
    expect(plans).toEqual([[a, third]]);
    expect(entriesOf(c, `template/${b}`)).toEqual([
      ['step-started', undefined],
      ['step-finished', 'skipped'],
    ]);
    expect(entriesOf(c, `template/${a}`).at(-1)).toEqual(['step-finished', 'succeeded']);
  });

  it('every template of a batch already built: no backup, no plan, no apply', async () => {
    const c = new FakeCluster();
    const { run, plans, applies } = setup(c, 2);
    for (const t of c.templates.keys()) c.templates.set(t, TO);
    await runPhase(run, templatesPhase(run), {});
    expect(plans).toEqual([]);
    expect(applies()).toBe(0);
    expect(c.backups.size).toBe(0);
  });

  it('a failed apply fails every step of its batch and the phase; the next batch never starts', async () => {
    const c = new FakeCluster(undefined, { broken: new Set(['apply']) } satisfies FakeFaults);
    const { run, plans } = setup(c, 2);
    const [a, b, third] = rebuildAddresses(run) as [string, string, string];
    const failure = await runPhase(run, templatesPhase(run), {}).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect((failure as StepFailure).step.id).toBe(`template/${a}`);
    expect((failure as StepFailure).error.code).toBe('SIMULATED_FAULT_PERMANENT');
    expect(plans).toEqual([[a, b]]);
    for (const address of [a, b]) {
      const finished = c.journal.entries.find(
        (e) => e.type === 'step-finished' && e.stepId === `template/${address}`,
      );
      expect(finished).toMatchObject({ outcome: 'failed', code: 'SIMULATED_FAULT_PERMANENT' });
    }
    expect(entriesOf(c, `template/${third}`)).toEqual([]);
    expect(entriesOf(c, 'cluster/verify-templates')).toEqual([]);
    expect([...c.templates.values()]).toEqual([FROM, FROM, FROM]);
  });

  it('a transient apply failure retries the whole batch per policy.retry', async () => {
    const c = new FakeCluster(undefined, { transient: { apply: 1 } });
    const { run, plans } = setup(c, 2);
    const [a, b, third] = rebuildAddresses(run) as [string, string, string];
    await runPhase(run, templatesPhase(run), {});
    expect(plans).toEqual([[a, b], [a, b], [third]]);
    expect(entriesOf(c, `template/${a}`)).toEqual([
      ['step-started', undefined],
      ['step-finished', 'succeeded'],
    ]);
  });

  it('a plan reaching outside the batch is refused before any apply', async () => {
    const c = new FakeCluster(undefined, { planExtra: 'module.dns.record' });
    const { run, applies } = setup(c, 2);
    const failure = await runPhase(run, templatesPhase(run), {}).catch((e: unknown) => e);
    expect((failure as StepFailure).error.code).toBe('PLAN_SCOPE');
    expect(applies()).toBe(0);
  });

  it('a step failing before it decides does not hold the rest of its batch up', async () => {
    const c = new FakeCluster();
    const { run, plans } = setup(c, 2);
    const [a, b] = rebuildAddresses(run) as [string, string, string];
    const read = run.ports.infrastructure.templateVersion.bind(run.ports.infrastructure);
    run.ports.infrastructure.templateVersion = async (address, signal) => {
      if (address === a) throw new Error('state unreadable');
      return read(address, signal);
    };
    const failure = await runPhase(run, templatesPhase(run), {}).catch((e: unknown) => e);
    expect((failure as StepFailure).step.id).toBe(`template/${a}`);
    expect(plans).toEqual([[b]]);
    expect(c.templates.get(b)).toBe(TO);
  });

  it('a rebuild step run on its own is a batch of one', async () => {
    const c = new FakeCluster();
    const { run, plans } = setup(c, 2);
    const step = templatesPhase(run).steps.filter((s) => s.action === 'rebuild-template')[1]!;
    expect(await runStep(run, step, undefined, {})).toMatchObject({ outcome: 'succeeded' });
    expect(plans).toEqual([[step.params.address]]);
  });
});

describe('crash and resume inside a batch', () => {
  /** Runs the phase until `killAt` says so, then "kills the process" (its ports hang forever). */
  async function crash(
    c: FakeCluster,
    killAt: (proc: { killed: boolean }, run: RunState) => StepRunOptions,
  ): Promise<void> {
    const proc = { killed: false };
    const { run } = setup(c, 2, proc);
    void runPhase(run, templatesPhase(run), killAt(proc, run));
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => proc.killed && (clearInterval(timer), resolve()), 1);
    });
  }

  it('killed after the first step of a batch finished: resume does not rebuild the second', async () => {
    const c = new FakeCluster();
    const [a, b, third] = rebuildAddresses(testRun(c)) as [string, string, string];
    await crash(c, (proc, run) => {
      // The second step is still checking its rebuilt template when the first one finishes.
      const read = run.ports.infrastructure.templateVersion.bind(run.ports.infrastructure);
      run.ports.infrastructure.templateVersion = (address, signal) =>
        address === b && c.calls.includes('apply')
          ? new Promise<never>(() => undefined)
          : read(address, signal);
      return {
        afterStep: () => {
          proc.killed = true;
          return new Promise<never>(() => undefined);
        },
      };
    });
    const { run, plans } = setup(c, 2);
    expect(entriesOf(c, `template/${b}`)).toEqual([['step-started', undefined]]);
    expect(c.templates.get(b)).toBe(TO);
    await runPhase(run, templatesPhase(run), {});
    expect(plans).toEqual([[third]]);
    expect(entriesOf(c, `template/${a}`)).toHaveLength(2);
    expect(entriesOf(c, `template/${b}`).at(-1)).toEqual(['step-finished', 'skipped']);
    expect([...c.templates.values()]).toEqual([TO, TO, TO]);
  });

  it('killed inside the apply (templates built, no step finished): resume rebuilds neither again', async () => {
    const c = new FakeCluster();
    await crash(c, (proc, run) => {
      const apply = run.ports.infrastructure.apply.bind(run.ports.infrastructure);
      run.ports.infrastructure.apply = async (plan, signal) => {
        await apply(plan, signal);
        proc.killed = true;
        return new Promise<never>(() => undefined);
      };
      return {};
    });
    const { run, plans, applies } = setup(c, 2);
    const [a, b, third] = rebuildAddresses(run) as [string, string, string];
    expect(applies()).toBe(1);
    for (const address of [a, b])
      expect(entriesOf(c, `template/${address}`)).toEqual([['step-started', undefined]]);
    await runPhase(run, templatesPhase(run), {});
    expect(plans).toEqual([[third]]);
    for (const address of [a, b]) {
      const entries = c.journal.entries.filter((e) => e.stepId === `template/${address}`);
      expect(entries.map((e) => [e.type, e.outcome, e.attempt])).toEqual([
        ['step-started', undefined, 1],
        ['step-started', undefined, 2],
        ['step-finished', 'skipped', undefined],
      ]);
    }
    expect(c.violations).toEqual([]);
  });
});

describe("template applies and the run's abort signal", () => {
  it("the template plan -target's and replaces every resource of the templates; its apply never gets the run's signal", async () => {
    const c = new FakeCluster();
    const { run } = setup(c, 3);
    const controller = new AbortController();
    run.signal = controller.signal;
    const requests: { replaceOnly?: string }[] = [];
    const signals: (AbortSignal | undefined)[] = [];
    const plan = run.ports.infrastructure.plan.bind(run.ports.infrastructure);
    const apply = run.ports.infrastructure.apply.bind(run.ports.infrastructure);
    run.ports.infrastructure.plan = (request) => {
      requests.push(request);
      return plan(request);
    };
    run.ports.infrastructure.apply = (p, signal) => {
      signals.push(signal);
      return apply(p, signal);
    };
    await runPhase(run, templatesPhase(run), {});
    expect(requests.map((r) => r.replaceOnly)).toEqual(['all']);
    expect(signals).toEqual([undefined]);
  });
});
