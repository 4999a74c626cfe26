import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_DURATIONS } from '../core/durations.js';
import { buildPlan } from '../core/plan-build.js';
import type { Plan } from '../core/plan.js';
import { Redactor } from '../core/redact.js';
import type { JournalEntry } from '../ports/journal.js';
import { runUpgrade } from './run-upgrade.js';
import type { RunUpgradeOptions } from './run-upgrade.js';
import { FakeCluster, FROM, SECRET, TO } from './testing/fake-cluster.js';
import type { FakeFaults } from './testing/fake-cluster.js';

function planFor(c: FakeCluster): Plan {
  return buildPlan('cattle', { inventory: c.inventory, policy: c.policy, from: FROM, to: TO });
}

function options(c: FakeCluster, over: Partial<RunUpgradeOptions> = {}): RunUpgradeOptions {
  const redactor = new Redactor();
  redactor.add(SECRET);
  return {
    plan: planFor(c),
    inventory: c.inventory,
    ports: c.ports(),
    durations: DEFAULT_STEP_DURATIONS,
    runId: 'run-1',
    holderIdentity: 'drover/run-1',
    resume: false,
    redactor,
    ...over,
  };
}

const workers = ['w-1', 'w-2', 'w-3'];

describe('runUpgrade on a healthy cluster', () => {
  it('replaces every node once, at the target, uncordoned, with a journal that starts before it acts', async () => {
    const c = new FakeCluster();
    const audit: unknown[] = [];
    const report = await runUpgrade(options(c, { audit: (r) => audit.push(r) }));
    expect(report.outcome).toBe('succeeded');
    expect(c.violations).toEqual([]);
    expect(c.replacements).toEqual({
      'cp-1': 1,
      'cp-2': 1,
      'cp-3': 1,
      'w-1': 1,
      'w-2': 1,
      'w-3': 1,
    });
    expect(report.nodes.map((n) => [n.name, n.outcome, n.vmReplacements])).toEqual(
      ['cp-1', 'cp-2', 'cp-3', ...workers].map((n) => [n, 'succeeded', 1]),
    );
    expect(c.cordoned.size).toBe(0);
    expect(c.noout.size).toBe(0);
    expect([...c.templates.values()]).toEqual([TO, TO, TO]);
    expect(c.lease?.holderIdentity).toBeUndefined();
    // Every step-finished has its step-started before it.
    const entries = c.journal.entries;
    for (const [i, e] of entries.entries()) {
      if (e.type !== 'step-finished') continue;
      expect(
        entries.slice(0, i).some((s) => s.type === 'step-started' && s.stepId === e.stepId),
      ).toBe(true);
    }
    // Secrets never leave: journal, audit and report.
    expect(JSON.stringify([entries, audit, report])).not.toContain(SECRET);
    expect(audit.length).toBeGreaterThan(50);
    expect(report.lowerBoundSeconds).toBeGreaterThan(0);
    expect(report.durationSeconds).toBeGreaterThanOrEqual(0);
  });

  it('control plane strictly one at a time: cp-2 starts only after cp-1 uncordoned', async () => {
    const c = new FakeCluster();
    await runUpgrade(options(c));
    const at = (id: string, type: string) =>
      c.journal.entries.findIndex((e) => e.stepId === id && e.type === type);
    expect(at('cp-2/gate-etcd', 'step-started')).toBeGreaterThan(
      at('cp-1/uncordon', 'step-finished'),
    );
    expect(at('w-1/gate-health', 'step-started')).toBeGreaterThan(
      at('cp-3/uncordon', 'step-finished'),
    );
  });

  it('a second run is refused (exit 3) naming the holder, once it sees the holder renew', async () => {
    const c = new FakeCluster();
    const other = c.ports().lock;
    await other.acquire('someone-else', 600);
    let alive = true;
    void (async () => {
      while (alive) {
        await c.clock.sleep(10_000);
        await other.renew('someone-else');
      }
    })();
    await expect(runUpgrade(options(c))).rejects.toMatchObject({
      code: 'LOCK_HELD',
      category: 'refused',
      message: expect.stringContaining('someone-else'),
    });
    alive = false;
    expect(c.journal.entries).toEqual([]);
  });

  it('a stale lease is taken over and the takeover reported', async () => {
    const c = new FakeCluster();
    await c.ports().lock.acquire('crashed-run', 60);
    await c.clock.sleep(61_000);
    const report = await runUpgrade(options(c));
    expect(report.outcome).toBe('succeeded');
    expect(report.notes.join('\n')).toContain('took over the cluster lock from crashed-run');
  });

  it('nodes already at the target are skipped and reported so', async () => {
    const c = new FakeCluster();
    await runUpgrade(options(c));
    const again = await runUpgrade(options(c, { runId: 'run-2', holderIdentity: 'drover/run-2' }));
    expect(again.outcome).toBe('succeeded');
    expect(
      again.nodes.every((n) => n.outcome === 'already-at-target' && n.vmReplacements === 0),
    ).toBe(true);
    expect(c.replacements['w-1']).toBe(1);
  });
});

interface FaultCase {
  name: string;
  faults: FakeFaults;
  drainPolicy?: { forceAfterGrace: boolean };
  outcome: 'succeeded' | 'failed';
  stepId?: string;
  code?: string;
  category?: string;
  /** Nodes whose VM must not have been touched. */
  untouched?: string[];
  cordonedAfter?: string[];
  /** Templates already rebuilt (so the fault hits the node cycle, not the template phase). */
  templatesReady?: boolean;
}

const cases: FaultCase[] = [
  {
    name: 'apply fails transiently twice: retried, succeeds',
    faults: { transient: { apply: 2 } },
    outcome: 'succeeded',
  },
  {
    name: 'S3 down for one call: retried, succeeds',
    faults: { transient: { 's3.put': 1 } },
    outcome: 'succeeded',
  },
  {
    name: 'S3 unavailable: stops at cp-1 backup, nothing replaced, cp-1 put back (untouched)',
    faults: { broken: new Set(['s3.put']) },
    templatesReady: true,
    outcome: 'failed',
    stepId: 'cp-1/backup-state',
    category: 'failed',
    untouched: ['cp-1', 'cp-2', 'cp-3', ...workers],
    cordonedAfter: [],
  },
  {
    name: 'plan touches an extra resource: refused before any apply',
    faults: { planExtra: 'module.dns.record' },
    outcome: 'failed',
    stepId: 'template/module.template_a_base',
    code: 'PLAN_SCOPE',
    category: 'refused',
    untouched: ['cp-1', 'cp-2', 'cp-3', ...workers],
  },
  {
    name: 'the old VM still answers (x509): stops at w-1, left cordoned, later workers untouched',
    faults: { x509: new Set(['w-1']) },
    outcome: 'failed',
    stepId: 'w-1/wait-maintenance',
    code: 'TALOS_OLD_VM_ANSWERS',
    untouched: ['w-2', 'w-3'],
    cordonedAfter: ['w-1'],
  },
  {
    name: 'a node never becomes Ready: stops at its wait-ready',
    faults: { neverReady: new Set(['w-2']) },
    outcome: 'failed',
    stepId: 'w-2/wait-ready',
    code: 'NODE_NOT_READY',
    untouched: ['w-3'],
    cordonedAfter: ['w-2'],
  },
  {
    name: 'an etcd member is unhealthy: the gate waits, then blocks (refused), nothing touched',
    faults: { etcdUnhealthy: new Set(['cp-3']) },
    outcome: 'failed',
    stepId: 'cp-1/gate-etcd',
    code: 'ETCD_UNHEALTHY',
    category: 'refused',
    untouched: ['cp-1', 'cp-2', 'cp-3', ...workers],
    cordonedAfter: [],
  },
  {
    name: 'a PDB never allows eviction, force not allowed: stops at w-1 drain, noout unset, w-1 put back',
    faults: { pdbBlocked: new Set(['app-w-1']) },
    drainPolicy: { forceAfterGrace: false },
    outcome: 'failed',
    stepId: 'w-1/drain',
    code: 'DRAIN_BLOCKED',
    untouched: ['w-1', 'w-2', 'w-3'],
    cordonedAfter: [],
  },
  {
    name: 'a PDB never allows eviction, force allowed: forced after the window',
    faults: { pdbBlocked: new Set(['app-w-1']) },
    outcome: 'succeeded',
  },
];

const failedNodeOf = (report: { failure: { node: string | null } | null }) =>
  report.failure?.node ?? '';

describe('scripted faults', () => {
  it.each(cases)('$name', async (fault) => {
    const c = new FakeCluster(undefined, fault.faults);
    if (fault.drainPolicy) Object.assign(c.policy.drain, fault.drainPolicy);
    if (fault.templatesReady) for (const t of c.templates.keys()) c.templates.set(t, TO);
    const report = await runUpgrade(options(c));
    expect(c.violations).toEqual([]);
    expect(report.outcome).toBe(fault.outcome);
    expect(c.lease?.holderIdentity).toBeUndefined();
    if (fault.outcome === 'succeeded') {
      expect(Object.values(c.replacements)).toEqual([1, 1, 1, 1, 1, 1]);
      expect(c.cordoned.size).toBe(0);
      return;
    }
    expect(report.failure?.stepId).toBe(fault.stepId);
    if (fault.code) expect(report.failure?.code).toBe(fault.code);
    expect(report.failure?.category).toBe(fault.category ?? 'failed');
    expect(report.failure?.hint).toBeTruthy();
    for (const n of fault.untouched ?? []) expect(c.replacements[n] ?? 0, n).toBe(0);
    if (fault.cordonedAfter) expect([...c.cordoned].sort()).toEqual(fault.cordonedAfter);
    for (const n of fault.cordonedAfter ?? [])
      expect(report.nodes.find((x) => x.name === n)?.leftCordoned).toBe(true);
    // noout is kept only for a node whose VM is gone (its OSDs are coming back).
    if (!c.replacements[failedNodeOf(report)])
      expect(c.noout.size, report.notes.join('; ')).toBe(0);
    // Never went on to the next node after the failing one.
    const failedNode = report.failure?.node;
    if (failedNode) {
      const order = report.nodes.map((n) => n.name);
      for (const later of order.slice(order.indexOf(failedNode) + 1))
        expect(report.nodes.find((n) => n.name === later)?.outcome).toBe('not-started');
    }
    expect(report.nodes.some((n) => n.outcome === 'failed')).toBe(
      fault.stepId?.includes('/') && !fault.stepId.startsWith('template/'),
    );
  });
});

describe('abort', () => {
  it('waits for the apply in flight to finish, journals it, then stops (invariant run-to-completion)', async () => {
    const c = new FakeCluster();
    for (const t of c.templates.keys()) c.templates.set(t, TO);
    const controller = new AbortController();
    const ports = c.ports();
    const apply = ports.infrastructure.apply.bind(ports.infrastructure);
    const order: string[] = [];
    // An apply that takes ten minutes and, like terraform apply, is not killed by the abort.
    ports.infrastructure.apply = async (plan) => {
      order.push('apply-start');
      controller.abort(new Error('SIGTERM'));
      await c.clock.sleep(600_000);
      await apply(plan);
      order.push('apply-end');
    };
    const release = ports.lock.release.bind(ports.lock);
    ports.lock.release = async (identity) => {
      order.push('lock-release');
      await release(identity);
    };
    const report = await runUpgrade(options(c, { ports, signal: controller.signal }));
    expect(report.outcome).toBe('aborted');
    expect(order).toEqual(['apply-start', 'apply-end', 'lock-release']);
    const finished = c.journal.entries.filter(
      (e) => e.stepId === 'cp-1/replace-vm' && e.type === 'step-finished',
    );
    expect(finished).toMatchObject([{ outcome: 'succeeded' }]);
    expect(c.replacements['cp-1']).toBe(1);
    // Past a destructive call: left cordoned for --resume to finish, and said so.
    expect(report.nodes.find((n) => n.name === 'cp-1')?.leftCordoned).toBe(true);
    expect(c.violations).toEqual([]);
  });

  it('ends as aborted, at a step boundary, with the node put back or left cordoned as invariant uncordon-when-done says', async () => {
    const c = new FakeCluster();
    const controller = new AbortController();
    const report = await runUpgrade(
      options(c, {
        signal: controller.signal,
        afterStep: (e) => {
          if (e.stepId === 'cp-1/drain') controller.abort(new Error('SIGTERM'));
        },
      }),
    );
    expect(report.outcome).toBe('aborted');
    expect(report.failure?.category).toBe('aborted');
    expect(c.replacements['cp-1'] ?? 0).toBe(0);
    // Cordoned and drained, nothing destructive: put back as it was (invariant uncordon-when-done).
    expect([...c.cordoned]).toEqual([]);
    expect(report.nodes.find((n) => n.name === 'cp-1')?.leftCordoned).toBe(false);
    expect(c.lease?.holderIdentity).toBeUndefined();
    expect(c.violations).toEqual([]);
  });
});

describe('crash and resume', () => {
  /** Runs until `crashAfter` steps have finished, then "kills the process" (its ports hang forever). */
  async function crashRun(c: FakeCluster, crashAfter: number): Promise<void> {
    const proc = { killed: false };
    let done = 0;
    let crashed!: () => void;
    const crashedPromise = new Promise<void>((resolve) => (crashed = resolve));
    void runUpgrade(
      options(c, {
        ports: c.ports(proc),
        afterStep: () => {
          if (++done >= crashAfter) {
            proc.killed = true;
            crashed();
            return new Promise<never>(() => undefined);
          }
        },
      }),
    );
    await crashedPromise;
  }

  const cp1Steps = planFor(new FakeCluster()).phases.find((p) => p.id === 'control-plane')!
    .units[0]!.steps;
  const before = planFor(new FakeCluster()).phases.find((p) => p.id === 'templates')!.steps.length;

  it.each(cp1Steps.map((s, i) => [s.action, before + i + 1] as const))(
    'crash after cp-1 %s, resume: every VM replaced exactly once',
    async (_action, n) => {
      const c = new FakeCluster();
      await crashRun(c, n);
      // The crashed holder's lease is still there; the same run (same identity) resumes.
      const report = await runUpgrade(options(c, { resume: true }));
      expect(report.outcome).toBe('succeeded');
      expect(report.resumed).toBe(true);
      expect(c.violations).toEqual([]);
      expect(c.replacements).toEqual({
        'cp-1': 1,
        'cp-2': 1,
        'cp-3': 1,
        'w-1': 1,
        'w-2': 1,
        'w-3': 1,
      });
      expect(report.nodes.every((x) => x.vmReplacements === 1)).toBe(true);
      expect(c.cordoned.size).toBe(0);
    },
  );

  it('a crash inside the apply (VM recreated, step unfinished): resume sees the fresh machine and does not replace again', async () => {
    const c = new FakeCluster();
    const proc = { killed: false };
    const ports = c.ports(proc);
    const apply = ports.infrastructure.apply.bind(ports.infrastructure);
    ports.infrastructure.apply = async (plan, signal) => {
      await apply(plan, signal);
      // cp-1's VM is recreated: die before the engine hears back.
      if (plan.changes.some((ch) => ch.address.startsWith('module.control_plane_nodes["cp-1"]'))) {
        proc.killed = true;
        return new Promise<never>(() => undefined);
      }
    };
    const killed = new Promise<void>((resolve) => {
      const timer = setInterval(() => proc.killed && (clearInterval(timer), resolve()), 1);
    });
    void runUpgrade(options(c, { ports }));
    await killed;
    const started = c.journal.entries.filter((e: JournalEntry) => e.stepId === 'cp-1/replace-vm');
    // Started, the plan, the apply and its destructive call journaled as starting, never finished.
    expect(started.filter((e) => e.type.startsWith('step-')).map((e) => e.type)).toEqual([
      'step-started',
    ]);
    expect(started.filter((e) => e.type === 'note').length).toBeGreaterThanOrEqual(2);
    expect(c.replacements['cp-1']).toBe(1);
    const report = await runUpgrade(options(c, { resume: true }));
    expect(report.outcome).toBe('succeeded');
    expect(c.replacements['cp-1']).toBe(1);
    expect(report.nodes.find((n) => n.name === 'cp-1')?.vmReplacements).toBe(1);
    expect(c.violations).toEqual([]);
  });

  it('a stop puts back a node nothing destructive touched (the default), and resume starts its cycle over', async () => {
    const c = new FakeCluster(undefined, { broken: new Set(['s3.put']) });
    for (const t of c.templates.keys()) c.templates.set(t, TO);
    const first = await runUpgrade(options(c));
    expect(c.cordoned.size).toBe(0);
    expect(first.notes.join('\n')).toContain('cp-1 put back in service');
    expect(first.failure?.stepId).toBe('cp-1/backup-state');
    c.faults.broken = new Set();
    const report = await runUpgrade(options(c, { resume: true }));
    expect(report.outcome).toBe('succeeded');
    const cordons = c.journal.entries.filter(
      (e) => e.stepId === 'cp-1/cordon' && e.type === 'step-finished',
    );
    expect(cordons).toHaveLength(2);
    expect(c.violations).toEqual([]);
  });
});

describe('custom gates', () => {
  const withCustom = (c: FakeCluster) =>
    buildPlan('cattle', {
      inventory: c.inventory,
      policy: c.policy,
      from: FROM,
      to: TO,
      customChecks: ['flux'],
    });

  it.each([
    { name: 'passing', check: async () => true, outcome: 'succeeded', code: undefined },
    {
      name: 'false until the deadline: blocks (refused)',
      check: async () => false,
      outcome: 'failed',
      code: 'HEALTH_GATE_BLOCKED',
    },
    {
      name: 'a read that throws is unknown: waits, then blocks',
      check: async () => {
        throw new Error('connection refused');
      },
      outcome: 'failed',
      code: 'HEALTH_GATE_BLOCKED',
    },
    {
      name: 'not provided: refused at once',
      check: undefined,
      outcome: 'failed',
      code: 'CHECK_UNKNOWN',
    },
  ])('$name', async ({ check, outcome, code }) => {
    const c = new FakeCluster();
    const report = await runUpgrade(
      options(c, { plan: withCustom(c), ...(check ? { customChecks: { flux: check } } : {}) }),
    );
    expect(report.outcome).toBe(outcome);
    if (code) {
      expect(report.failure).toMatchObject({
        stepId: 'w-1/gate-health',
        code,
        category: 'refused',
      });
      expect(c.replacements['w-1'] ?? 0).toBe(0);
    }
    expect(c.violations).toEqual([]);
  });
});
