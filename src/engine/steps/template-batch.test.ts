import { describe, expect, it } from 'vitest';
import type { PlanPhase } from '../../core/plan.js';
import type { Ports } from '../../ports/index.js';
import type { RunState } from '../context.js';
import { runPhase } from '../run-phase.js';
import { runStep, StepFailure } from '../run-step.js';
import { runStateOver } from '../testing/test-run.js';
import { blip, broken, killable, planReaching, throwing } from '../testing/twin-faults.js';
import type { Process } from '../testing/twin-faults.js';
import { overriding, twinRun } from '../testing/twin-run.js';
import type { TwinRun } from '../testing/twin-run.js';

const FROM = '1.10.8';
const TO = '1.11.0';

const templatesPhase = (run: RunState): PlanPhase =>
  run.plan.phases.find((p) => p.id === 'templates') as PlanPhase;

/** The plan's rebuild addresses, in plan order (four in the small twin). */
const rebuildAddresses = (run: RunState): string[] =>
  templatesPhase(run)
    .steps.filter((s) => s.action === 'rebuild-template')
    .map((s) => s.params.address);

interface Twin extends TwinRun {
  plans: string[][];
  applies: () => number;
  backups: () => number;
  versions: () => Promise<(string | undefined)[]>;
  entriesOf: (stepId: string) => [string, string | undefined][];
  /** A RunState of a new process over the same world and journal (it read the journal). */
  process: (decorate?: (ports: Ports) => Ports) => RunState;
}

/** The twin with `concurrency` rebuilds per batch; every plan request, apply and backup counted. */
async function setup(concurrency = 2, decorate?: (ports: Ports) => Ports): Promise<Twin> {
  const plans: string[][] = [];
  let applies = 0;
  let backups = 0;
  const observed = (ports: Ports): Ports => {
    let p = overriding(ports, 'infrastructure', 'plan', (plan) => (request) => {
      plans.push([...request.replace]);
      return plan(request);
    });
    p = overriding(p, 'infrastructure', 'apply', (apply) => (plan, signal) => {
      applies++;
      return apply(plan, signal);
    });
    p = overriding(p, 'stateBackup', 'put', (put) => (key, bytes, signal) => {
      backups++;
      return put(key, bytes, signal);
    });
    return decorate ? decorate(p) : p;
  };
  const t = await twinRun({
    scenario: { policy: { disruption: { templateRebuildConcurrency: concurrency } } },
    decorate: observed,
  });
  const infra = t.cluster.ports.infrastructure;
  return {
    ...t,
    plans,
    applies: () => applies,
    backups: () => backups,
    versions: () =>
      Promise.all(rebuildAddresses(t.run).map((address) => infra.templateVersion(address))),
    entriesOf: (stepId) =>
      t.journal.entries
        .filter((e) => e.stepId === stepId)
        .map((e) => [e.type, e.outcome] as [string, string | undefined]),
    process: (extra) => {
      const run = runStateOver({
        ...t.run,
        ports: t.newPorts((p) => observed(extra ? extra(p) : p)),
      });
      run.entries = structuredClone(t.journal.entries);
      return run;
    },
  };
}

/** Builds a template through the infrastructure directly, as an earlier run would have. */
async function rebuiltBefore(t: Twin, address: string): Promise<void> {
  const infra = t.cluster.ports.infrastructure;
  await infra.apply(await infra.plan({ replace: [address], replaceOnly: 'all' }));
}

describe('template rebuilds in batches', () => {
  it('a batch of 2 is one backup, one plan with both addresses and one apply; each step journaled on its own', async () => {
    const t = await setup(2);
    const [a, b, c, d] = rebuildAddresses(t.run) as [string, string, string, string];
    await runPhase(t.run, templatesPhase(t.run), {});
    expect(t.plans).toEqual([
      [a, b],
      [c, d],
    ]);
    expect(t.applies()).toBe(2);
    expect(t.backups()).toBe(2);
    expect(t.cluster.violations()).toEqual([]);
    expect(await t.versions()).toEqual([TO, TO, TO, TO]);
    for (const address of [a, b, c, d])
      expect(t.entriesOf(`template/${address}`)).toEqual([
        ['step-started', undefined],
        ['step-finished', 'succeeded'],
      ]);
    // Both steps of the first batch started before its apply and finished after it.
    const at = (type: string, address: string) =>
      t.journal.entries.find((e) => e.type === type && e.stepId === `template/${address}`)!.at;
    expect(at('step-started', b)).toBeLessThan(at('step-finished', a));
  });

  it.each([
    [1, 4],
    [3, 2],
    [5, 1],
  ])('templateRebuildConcurrency %i: %i plan/apply for 4 templates', async (limit, operations) => {
    const t = await setup(limit);
    await runPhase(t.run, templatesPhase(t.run), {});
    expect(t.plans).toHaveLength(operations);
    expect(t.plans.flat()).toEqual(rebuildAddresses(t.run));
    expect(t.applies()).toBe(operations);
    expect(await t.versions()).toEqual([TO, TO, TO, TO]);
  });

  it('a template already built is skipped on its own and left out of the plan', async () => {
    const t = await setup(4);
    const [a, b, c, d] = rebuildAddresses(t.run) as [string, string, string, string];
    await rebuiltBefore(t, b);
    t.plans.length = 0;
    await runPhase(t.run, templatesPhase(t.run), {});
    expect(t.plans).toEqual([[a, c, d]]);
    expect(t.entriesOf(`template/${b}`)).toEqual([
      ['step-started', undefined],
      ['step-finished', 'skipped'],
    ]);
    expect(t.entriesOf(`template/${a}`).at(-1)).toEqual(['step-finished', 'succeeded']);
  });

  it('every template of a batch already built: no backup, no plan, no apply', async () => {
    const t = await setup(2);
    for (const address of rebuildAddresses(t.run)) await rebuiltBefore(t, address);
    t.plans.length = 0;
    await runPhase(t.run, templatesPhase(t.run), {});
    expect(t.plans).toEqual([]);
    expect(t.applies()).toBe(0);
    expect(t.backups()).toBe(0);
  });

  it('a failed apply fails every step of its batch and the phase; the next batch never starts', async () => {
    const t = await setup(2, (p) =>
      throwing(p, 'infrastructure', 'apply', () => broken('terraform apply')),
    );
    const [a, b, c] = rebuildAddresses(t.run) as [string, string, string, string];
    const failure = await runPhase(t.run, templatesPhase(t.run), {}).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect((failure as StepFailure).step.id).toBe(`template/${a}`);
    expect((failure as StepFailure).error.code).toBe('SIMULATED_FAULT_PERMANENT');
    expect(t.plans).toEqual([[a, b]]);
    for (const address of [a, b]) {
      const finished = t.journal.entries.find(
        (e) => e.type === 'step-finished' && e.stepId === `template/${address}`,
      );
      expect(finished).toMatchObject({ outcome: 'failed', code: 'SIMULATED_FAULT_PERMANENT' });
    }
    expect(t.entriesOf(`template/${c}`)).toEqual([]);
    expect(t.entriesOf('cluster/verify-templates')).toEqual([]);
    expect(await t.versions()).toEqual([FROM, FROM, FROM, FROM]);
  });

  it('a transient apply failure retries the whole batch per policy.retry', async () => {
    const t = await setup(2, (p) =>
      throwing(p, 'infrastructure', 'apply', () => blip('terraform apply'), 1),
    );
    const [a, b, c, d] = rebuildAddresses(t.run) as [string, string, string, string];
    await runPhase(t.run, templatesPhase(t.run), {});
    expect(t.plans).toEqual([
      [a, b],
      [a, b],
      [c, d],
    ]);
    expect(t.entriesOf(`template/${a}`)).toEqual([
      ['step-started', undefined],
      ['step-finished', 'succeeded'],
    ]);
  });

  it('a plan reaching outside the batch is refused before any apply', async () => {
    const t = await setup(2, (p) => planReaching(p, 'module.dns.record'));
    const failure = await runPhase(t.run, templatesPhase(t.run), {}).catch((e: unknown) => e);
    expect((failure as StepFailure).error.code).toBe('PLAN_SCOPE');
    expect(t.applies()).toBe(0);
  });

  it('a step failing before it decides does not hold the rest of its batch up', async () => {
    let first = '';
    const t = await setup(2, (p) =>
      throwing(
        p,
        'infrastructure',
        'templateVersion',
        () => new Error('state unreadable'),
        'always',
        (address) => address === first,
      ),
    );
    const [a, b] = rebuildAddresses(t.run) as [string, string, string, string];
    first = a;
    const failure = await runPhase(t.run, templatesPhase(t.run), {}).catch((e: unknown) => e);
    expect((failure as StepFailure).step.id).toBe(`template/${a}`);
    expect(t.plans).toEqual([[b]]);
    expect(await t.cluster.ports.infrastructure.templateVersion(b)).toBe(TO);
  });

  it('a rebuild step run on its own is a batch of one', async () => {
    const t = await setup(2);
    const step = templatesPhase(t.run).steps.filter((s) => s.action === 'rebuild-template')[1]!;
    expect(await runStep(t.run, step, undefined, {})).toMatchObject({ outcome: 'succeeded' });
    expect(t.plans).toEqual([[step.params.address]]);
  });
});

describe('crash and resume inside a batch', () => {
  /** Runs the phase in a process that `killAt` kills; resolves once it died. */
  async function crash(
    t: Twin,
    killAt: (proc: Process) => {
      decorate?: (ports: Ports) => Ports;
      afterStep?: () => Promise<never>;
    },
  ): Promise<void> {
    let proc!: Process;
    let plan: ReturnType<typeof killAt> = {};
    const run = t.process((ports) => {
      proc = killable(ports);
      plan = killAt(proc);
      return plan.decorate ? plan.decorate(proc.ports) : proc.ports;
    });
    void runPhase(run, templatesPhase(run), plan.afterStep ? { afterStep: plan.afterStep } : {});
    await proc.died;
  }

  it('killed after the first step of a batch finished: resume does not rebuild the second', async () => {
    const t = await setup(2);
    const [a, b, c, d] = rebuildAddresses(t.run) as [string, string, string, string];
    await crash(t, (proc) => {
      let applied = false;
      return {
        // The second step is still checking its rebuilt template when the first one finishes.
        decorate: (ports) =>
          overriding(
            overriding(ports, 'infrastructure', 'apply', (apply) => async (plan, signal) => {
              await apply(plan, signal);
              applied = true;
            }),
            'infrastructure',
            'templateVersion',
            (read) => (address, signal) =>
              address === b && applied
                ? new Promise<never>(() => undefined)
                : read(address, signal),
          ),
        afterStep: () => {
          proc.kill();
          return new Promise<never>(() => undefined);
        },
      };
    });
    expect(t.entriesOf(`template/${b}`)).toEqual([['step-started', undefined]]);
    expect(await t.cluster.ports.infrastructure.templateVersion(b)).toBe(TO);
    t.plans.length = 0;
    const run = t.process();
    await runPhase(run, templatesPhase(run), {});
    // The unfinished steps batch as [b, c], [d]: b finds its template built and stays out.
    expect(t.plans).toEqual([[c], [d]]);
    expect(t.entriesOf(`template/${a}`)).toHaveLength(2);
    expect(t.entriesOf(`template/${b}`).at(-1)).toEqual(['step-finished', 'skipped']);
    expect(await t.versions()).toEqual([TO, TO, TO, TO]);
  });

  it('killed inside the apply (templates built, no step finished): resume rebuilds neither again', async () => {
    const t = await setup(2);
    const [a, b, c, d] = rebuildAddresses(t.run) as [string, string, string, string];
    await crash(t, (proc) => ({
      decorate: (ports) =>
        overriding(ports, 'infrastructure', 'apply', (apply) => async (plan, signal) => {
          await apply(plan, signal);
          proc.kill();
          return new Promise<never>(() => undefined);
        }),
    }));
    expect(t.applies()).toBe(1);
    for (const address of [a, b])
      expect(t.entriesOf(`template/${address}`)).toEqual([['step-started', undefined]]);
    t.plans.length = 0;
    const run = t.process();
    await runPhase(run, templatesPhase(run), {});
    expect(t.plans).toEqual([[c, d]]);
    for (const address of [a, b]) {
      const entries = t.journal.entries.filter((e) => e.stepId === `template/${address}`);
      expect(entries.map((e) => [e.type, e.outcome, e.attempt])).toEqual([
        ['step-started', undefined, 1],
        ['step-started', undefined, 2],
        ['step-finished', 'skipped', undefined],
      ]);
    }
    expect(t.cluster.violations()).toEqual([]);
  });
});

describe("template applies and the run's abort signal", () => {
  it("the template plan -target's and replaces every resource of the templates; its apply never gets the run's signal", async () => {
    const requests: { replaceOnly?: string }[] = [];
    const signals: (AbortSignal | undefined)[] = [];
    const t = await setup(4, (p) =>
      overriding(
        overriding(p, 'infrastructure', 'plan', (plan) => (request) => {
          requests.push(request);
          return plan(request);
        }),
        'infrastructure',
        'apply',
        (apply) => (plan, signal) => {
          signals.push(signal);
          return apply(plan, signal);
        },
      ),
    );
    const controller = new AbortController();
    t.run.signal = controller.signal;
    await runPhase(t.run, templatesPhase(t.run), {});
    expect(requests.map((r) => r.replaceOnly)).toEqual(['all']);
    expect(signals).toEqual([undefined]);
  });
});
