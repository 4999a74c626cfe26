import { describe, expect, it } from 'vitest';
import { worldContext } from '../adapters/simulated/index.js';
import type { ScenarioInput } from '../adapters/simulated/scenario/schema.js';
import { smallScenario } from '../adapters/simulated/testing/fixtures.js';
import { buildPlan } from '../core/plan-build.js';
import { Redactor } from '../core/redact.js';
import type { Ports } from '../ports/index.js';
import type { JournalEntry } from '../ports/journal.js';
import { runUpgrade } from './run-upgrade.js';
import type { RunUpgradeOptions } from './run-upgrade.js';
import { blip, broken, killable, planReaching, throwing } from './testing/twin-faults.js';
import {
  cordonedNodes,
  leaseHolder,
  replacedVms,
  templateVersions,
  twinRun,
} from './testing/twin-run.js';
import type { TwinRun } from './testing/twin-run.js';

const TO = '1.11.0';
const controlPlane = ['cp-1', 'cp-2', 'cp-3'];
const workers = ['w-1', 'w-2', 'w-3', 'w-4'];
const everyNodeOnce = Object.fromEntries([...controlPlane, ...workers].map((n) => [n, 1]));

/** Builds every template through the infrastructure directly, as an earlier run would have. */
async function templatesReady(t: TwinRun): Promise<void> {
  const infra = t.cluster.ports.infrastructure;
  const addresses = Object.values(t.cluster.inventory.templates).map((x) => x.address);
  await infra.apply(await infra.plan({ replace: addresses, replaceOnly: 'all' }));
}

/** The first worker, in plan order, that runs a replica of apps/web (the seed places them). */
async function firstWebWorker(t: TwinRun): Promise<string> {
  for (const n of workers)
    if ((await t.cluster.ports.kubernetes.listPodsOnNode(n)).some((p) => p.name.startsWith('web-')))
      return n;
  throw new Error('no worker runs apps/web');
}

describe('runUpgrade on a healthy cluster', () => {
  it('replaces every node once, at the target, uncordoned, with a journal that starts before it acts', async () => {
    const t = await twinRun();
    // The machine configs' secrets, as the secrets port serves them (the CLI redacts them all).
    for (const n of t.cluster.inventory.nodes) await t.cluster.ports.secrets.machineConfig(n);
    const secrets = t.cluster.secretValues();
    expect(secrets.length).toBeGreaterThan(0);
    const redactor = new Redactor();
    for (const s of secrets) redactor.add(s);
    const audit: unknown[] = [];
    const report = await runUpgrade(t.upgrade({ redactor, audit: (r) => audit.push(r) }));
    expect(report.outcome).toBe('succeeded');
    expect(t.cluster.violations()).toEqual([]);
    expect(replacedVms(t.cluster)).toEqual(everyNodeOnce);
    expect(report.nodes.map((n) => [n.name, n.outcome, n.vmReplacements])).toEqual(
      [...controlPlane, ...workers].map((n) => [n, 'succeeded', 1]),
    );
    expect(await cordonedNodes(t.cluster)).toEqual([]);
    expect(await t.cluster.ports.storage.nooutDomains()).toEqual([]);
    expect(await templateVersions(t.cluster)).toEqual([TO, TO, TO, TO]);
    expect(await leaseHolder(t.cluster)).toBeUndefined();
    // Every step-finished has its step-started before it.
    const entries = t.journal.entries;
    for (const [i, e] of entries.entries()) {
      if (e.type !== 'step-finished') continue;
      expect(
        entries.slice(0, i).some((s) => s.type === 'step-started' && s.stepId === e.stepId),
      ).toBe(true);
    }
    // Secrets never leave: journal, audit and report.
    const written = JSON.stringify([entries, audit, report]);
    for (const s of t.cluster.secretValues()) expect(written).not.toContain(s);
    expect(audit.length).toBeGreaterThan(50);
    expect(report.lowerBoundSeconds).toBeGreaterThan(0);
    expect(report.durationSeconds).toBeGreaterThanOrEqual(0);
  });

  it('control plane strictly one at a time: cp-2 starts only after cp-1 uncordoned', async () => {
    const t = await twinRun();
    await runUpgrade(t.upgrade());
    const at = (id: string, type: string) =>
      t.journal.entries.findIndex((e) => e.stepId === id && e.type === type);
    expect(at('cp-2/gate-etcd', 'step-started')).toBeGreaterThan(
      at('cp-1/uncordon', 'step-finished'),
    );
    expect(at('w-1/gate-health', 'step-started')).toBeGreaterThan(
      at('cp-3/uncordon', 'step-finished'),
    );
  });

  it('a second run is refused (exit 3) naming the holder, once it sees the holder renew', async () => {
    const t = await twinRun();
    const other = t.newPorts().lock;
    await other.acquire('someone-else', 600);
    let alive = true;
    void (async () => {
      while (alive) {
        await t.cluster.clock.sleep(10_000);
        await other.renew('someone-else');
      }
    })();
    await expect(runUpgrade(t.upgrade())).rejects.toMatchObject({
      code: 'LOCK_HELD',
      category: 'refused',
      message: expect.stringContaining('someone-else'),
    });
    alive = false;
    expect(t.journal.entries).toEqual([]);
    expect(replacedVms(t.cluster)).toEqual({});
  });

  it('a stale lease is taken over and the takeover reported', async () => {
    const t = await twinRun();
    await t.newPorts().lock.acquire('crashed-run', 60);
    await t.cluster.clock.sleep(61_000);
    const report = await runUpgrade(t.upgrade());
    expect(report.outcome).toBe('succeeded');
    expect(report.notes.join('\n')).toContain('took over the cluster lock from crashed-run');
  });

  it('nodes already at the target are skipped and reported so', async () => {
    const t = await twinRun();
    await runUpgrade(t.upgrade());
    const again = await runUpgrade(t.upgrade({ runId: 'run-2', holderIdentity: 'drover/run-2' }));
    expect(again.outcome).toBe('succeeded');
    expect(
      again.nodes.every((n) => n.outcome === 'already-at-target' && n.vmReplacements === 0),
    ).toBe(true);
    expect(replacedVms(t.cluster)).toEqual(everyNodeOnce);
  });
});

interface FaultCase {
  name: string;
  /** Faults the world plays (scenario) and decorators on the run's ports. */
  scenario?: Partial<ScenarioInput>;
  decorate?: (ports: Ports) => Ports;
  outcome: 'succeeded' | 'failed';
  /** The failed step; `{web}` is the first worker running apps/web. */
  stepId?: string;
  code?: string;
  category?: string;
  /** Nodes whose VM must not have been touched (`{web}...`: that worker and those after it). */
  untouched?: string[];
  cordonedAfter?: string[];
  /** Templates already rebuilt (so the fault hits the node cycle, not the template phase). */
  templatesReady?: boolean;
}

const webBlocked = [{ type: 'pdb-blocks', namespace: 'apps', name: 'web' }] as const;

const cases: FaultCase[] = [
  {
    name: 'apply fails transiently twice: retried, succeeds',
    decorate: (p) => throwing(p, 'infrastructure', 'apply', () => blip('terraform apply'), 2),
    outcome: 'succeeded',
  },
  {
    name: 'S3 down for one call: retried, succeeds',
    decorate: (p) => throwing(p, 'stateBackup', 'put', () => blip('s3 put'), 1),
    outcome: 'succeeded',
  },
  {
    name: 'S3 unavailable: stops at cp-1 backup (its lead-in), nothing replaced or cordoned',
    decorate: (p) => throwing(p, 'stateBackup', 'put', () => broken('s3 put')),
    templatesReady: true,
    outcome: 'failed',
    stepId: 'cp-1/backup-state',
    category: 'failed',
    untouched: [...controlPlane, ...workers],
    cordonedAfter: [],
  },
  {
    name: 'plan touches an extra resource: refused before any apply',
    decorate: (p) => planReaching(p, 'module.dns.record'),
    outcome: 'failed',
    stepId: 'template/module.template_h1_base',
    code: 'PLAN_SCOPE',
    category: 'refused',
    untouched: [...controlPlane, ...workers],
  },
  {
    name: 'the old VM still answers (x509): stops at w-1, left cordoned, later workers untouched',
    scenario: { faults: [{ type: 'old-vm-lingers', node: 'w-1' }] },
    outcome: 'failed',
    stepId: 'w-1/wait-maintenance',
    code: 'TALOS_OLD_VM_ANSWERS',
    untouched: ['w-2', 'w-3', 'w-4'],
    cordonedAfter: ['w-1'],
  },
  {
    name: 'a node never becomes Ready: stops at its wait-ready',
    scenario: { faults: [{ type: 'never-ready', node: 'w-2' }] },
    outcome: 'failed',
    stepId: 'w-2/wait-ready',
    code: 'NODE_NOT_READY',
    untouched: ['w-3', 'w-4'],
    cordonedAfter: ['w-2'],
  },
  {
    name: 'an etcd member is unhealthy: the gate waits, then blocks (refused), nothing touched',
    scenario: { faults: [{ type: 'etcd-unhealthy', node: 'cp-3' }] },
    outcome: 'failed',
    stepId: 'cp-1/gate-etcd',
    code: 'ETCD_UNHEALTHY',
    category: 'refused',
    untouched: [...controlPlane, ...workers],
    cordonedAfter: [],
  },
  {
    name: 'a PDB never allows eviction, force not allowed: stops at the drain, noout unset, the node put back',
    scenario: { faults: [...webBlocked], policy: { drain: { forceAfterGrace: false } } },
    outcome: 'failed',
    stepId: '{web}/drain',
    code: 'DRAIN_BLOCKED',
    untouched: ['{web}...'],
    cordonedAfter: [],
  },
  {
    name: 'a PDB never allows eviction, force allowed: forced after the window',
    scenario: { faults: [...webBlocked] },
    outcome: 'succeeded',
  },
];

const failedNodeOf = (report: { failure: { node: string | null } | null }) =>
  report.failure?.node ?? '';

describe('scripted faults', () => {
  it.each(cases)('$name', async (fault) => {
    const t = await twinRun({ scenario: fault.scenario ?? {} });
    if (fault.templatesReady) await templatesReady(t);
    const web = await firstWebWorker(t);
    const stepId = fault.stepId?.replace('{web}', web);
    const report = await runUpgrade(
      t.upgrade(fault.decorate ? { ports: t.newPorts(fault.decorate) } : {}),
    );
    expect(t.cluster.violations()).toEqual([]);
    expect(report.outcome).toBe(fault.outcome);
    expect(await leaseHolder(t.cluster)).toBeUndefined();
    if (fault.outcome === 'succeeded') {
      expect(replacedVms(t.cluster)).toEqual(everyNodeOnce);
      expect(await cordonedNodes(t.cluster)).toEqual([]);
      return;
    }
    expect(report.failure?.stepId).toBe(stepId);
    if (fault.code) expect(report.failure?.code).toBe(fault.code);
    expect(report.failure?.category).toBe(fault.category ?? 'failed');
    expect(report.failure?.hint).toBeTruthy();
    const replaced = t.cluster.vmReplacements();
    // `{web}`: that worker and every worker after it.
    const untouched = (fault.untouched ?? []).flatMap((n) =>
      n === '{web}...' ? workers.slice(workers.indexOf(web)) : [n],
    );
    for (const n of untouched) expect(replaced[n] ?? 0, n).toBe(0);
    if (fault.cordonedAfter) expect(await cordonedNodes(t.cluster)).toEqual(fault.cordonedAfter);
    for (const n of fault.cordonedAfter ?? [])
      expect(report.nodes.find((x) => x.name === n)?.leftCordoned).toBe(true);
    // noout is kept only for a node whose VM is gone (its OSDs are coming back).
    if (!replaced[failedNodeOf(report)])
      expect(await t.cluster.ports.storage.nooutDomains(), report.notes.join('; ')).toEqual([]);
    // Never went on to the next node after the failing one.
    const failedNode = report.failure?.node;
    if (failedNode) {
      const order = report.nodes.map((n) => n.name);
      for (const later of order.slice(order.indexOf(failedNode) + 1))
        expect(report.nodes.find((n) => n.name === later)?.outcome).toBe('not-started');
    }
    expect(report.nodes.some((n) => n.outcome === 'failed')).toBe(
      stepId?.includes('/') && !stepId.startsWith('template/'),
    );
  });
});

describe('abort', () => {
  it('waits for the apply in flight to finish, journals it, then stops (invariant run-to-completion)', async () => {
    const t = await twinRun();
    await templatesReady(t);
    const controller = new AbortController();
    const order: string[] = [];
    const ports = t.newPorts();
    const apply = ports.infrastructure.apply.bind(ports.infrastructure);
    // An apply that takes ten minutes and, like terraform apply, is not killed by the abort.
    ports.infrastructure = Object.assign(Object.create(ports.infrastructure), {
      apply: async (plan: Parameters<typeof apply>[0]) => {
        order.push('apply-start');
        controller.abort(new Error('SIGTERM'));
        await t.cluster.clock.sleep(600_000);
        await apply(plan);
        order.push('apply-end');
      },
    }) as Ports['infrastructure'];
    const release = ports.lock.release.bind(ports.lock);
    ports.lock.release = async (identity) => {
      order.push('lock-release');
      await release(identity);
    };
    const report = await runUpgrade(t.upgrade({ ports, signal: controller.signal }));
    expect(report.outcome).toBe('aborted');
    expect(order).toEqual(['apply-start', 'apply-end', 'lock-release']);
    const finished = t.journal.entries.filter(
      (e) => e.stepId === 'cp-1/replace-vm' && e.type === 'step-finished',
    );
    expect(finished).toMatchObject([{ outcome: 'succeeded' }]);
    expect(replacedVms(t.cluster)).toEqual({ 'cp-1': 1 });
    // Past a destructive call: left cordoned for --resume to finish, and said so.
    expect(report.nodes.find((n) => n.name === 'cp-1')?.leftCordoned).toBe(true);
    expect(t.cluster.violations()).toEqual([]);
  });

  it('ends as aborted, at a step boundary, with the node put back or left cordoned as invariant uncordon-when-done says', async () => {
    const t = await twinRun();
    const controller = new AbortController();
    const report = await runUpgrade(
      t.upgrade({
        signal: controller.signal,
        afterStep: (e) => {
          if (e.stepId === 'cp-1/drain') controller.abort(new Error('SIGTERM'));
        },
      }),
    );
    expect(report.outcome).toBe('aborted');
    expect(report.failure?.category).toBe('aborted');
    expect(replacedVms(t.cluster)).toEqual({});
    // Cordoned and drained, nothing destructive: put back as it was (invariant uncordon-when-done).
    expect(await cordonedNodes(t.cluster)).toEqual([]);
    expect(report.nodes.find((n) => n.name === 'cp-1')?.leftCordoned).toBe(false);
    expect(await leaseHolder(t.cluster)).toBeUndefined();
    expect(t.cluster.violations()).toEqual([]);
  });
});

describe('crash and resume', () => {
  /** Runs until `crashAfter` steps have finished, then kills the process (its ports hang). */
  async function crashRun(t: TwinRun, crashAfter: number): Promise<void> {
    const proc = killable(t.newPorts());
    let done = 0;
    void runUpgrade(
      t.upgrade({
        ports: proc.ports,
        afterStep: () => {
          if (++done < crashAfter) return;
          proc.kill();
          return new Promise<never>(() => undefined);
        },
      }),
    );
    await proc.died;
  }

  /** The resumed run: the same run (same identity) takes its crashed holder's lease back. */
  const resume = (t: TwinRun, over: Partial<RunUpgradeOptions> = {}) =>
    runUpgrade(t.upgrade({ resume: true, ...over }));

  // cp-1's steps in plan order, each with the number of steps finished when it finishes.
  const context = worldContext(smallScenario());
  const plan = buildPlan(context.kind, {
    inventory: context.inventory,
    policy: context.policy,
    from: context.talos.from,
    to: context.talos.to,
  });
  const before = plan.phases.find((p) => p.id === 'templates')!.steps.length;
  const cp1Steps = plan.phases.find((p) => p.id === 'control-plane')!.units[0]!.steps;

  it.each(cp1Steps.map((s, i) => [s.action, before + i + 1] as const))(
    'crash after cp-1 %s, resume: every VM replaced exactly once',
    async (_action, n) => {
      const t = await twinRun();
      await crashRun(t, n);
      const report = await resume(t);
      expect(report.outcome).toBe('succeeded');
      expect(report.resumed).toBe(true);
      expect(t.cluster.violations()).toEqual([]);
      expect(replacedVms(t.cluster)).toEqual(everyNodeOnce);
      expect(report.nodes.every((x) => x.vmReplacements === 1)).toBe(true);
      expect(await cordonedNodes(t.cluster)).toEqual([]);
    },
  );

  it('a crash inside the apply (VM recreated, step unfinished): resume sees the fresh machine and does not replace again', async () => {
    const t = await twinRun();
    const proc = killable(t.newPorts());
    const ports = proc.ports;
    const apply = ports.infrastructure.apply.bind(ports.infrastructure);
    ports.infrastructure = Object.assign(Object.create(ports.infrastructure), {
      apply: async (plan: Parameters<typeof apply>[0], signal?: AbortSignal) => {
        await apply(plan, signal);
        // cp-1's VM is recreated: die before the engine hears back.
        if (plan.changes.some((ch) => ch.address.startsWith('module.control_plane_nodes["cp-1"]')))
          proc.kill();
      },
    }) as Ports['infrastructure'];
    void runUpgrade(t.upgrade({ ports }));
    await proc.died;
    const started = t.journal.entries.filter((e: JournalEntry) => e.stepId === 'cp-1/replace-vm');
    // Started, the plan, the apply and its destructive call journaled as starting, never finished.
    expect(started.filter((e) => e.type.startsWith('step-')).map((e) => e.type)).toEqual([
      'step-started',
    ]);
    expect(started.filter((e) => e.type === 'note').length).toBeGreaterThanOrEqual(2);
    expect(replacedVms(t.cluster)).toEqual({ 'cp-1': 1 });
    const report = await resume(t);
    expect(report.outcome).toBe('succeeded');
    expect(t.cluster.vmReplacements()['cp-1']).toBe(1);
    expect(report.nodes.find((n) => n.name === 'cp-1')?.vmReplacements).toBe(1);
    expect(t.cluster.violations()).toEqual([]);
  });

  it('a stop puts back a node nothing destructive touched (the default), and resume starts its cycle over', async () => {
    const t = await twinRun();
    await templatesReady(t);
    // A worker backs up after its cordon and drain (a control plane node before: its lead-in).
    const w1Backup = (key: unknown) => String(key).includes('w-1');
    const first = await runUpgrade(
      t.upgrade({
        ports: t.newPorts((p) =>
          throwing(p, 'stateBackup', 'put', () => broken('s3 put'), 'always', w1Backup),
        ),
      }),
    );
    expect(await cordonedNodes(t.cluster)).toEqual([]);
    expect(first.notes.join('\n')).toContain('w-1 put back in service');
    expect(first.failure?.stepId).toBe('w-1/backup-state');
    const report = await resume(t);
    expect(report.outcome).toBe('succeeded');
    const cordons = t.journal.entries.filter(
      (e) => e.stepId === 'w-1/cordon' && e.type === 'step-finished',
    );
    expect(cordons).toHaveLength(2);
    expect(t.cluster.violations()).toEqual([]);
  });
});

describe('custom gates', () => {
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
    const t = await twinRun({ customChecks: ['flux'] });
    const report = await runUpgrade(t.upgrade(check ? { customChecks: { flux: check } } : {}));
    expect(report.outcome).toBe(outcome);
    if (code) {
      expect(report.failure).toMatchObject({
        stepId: 'w-1/gate-health',
        code,
        category: 'refused',
      });
      expect(t.cluster.vmReplacements()['w-1'] ?? 0).toBe(0);
    }
    expect(t.cluster.violations()).toEqual([]);
  });
});
