import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_DURATIONS } from '../core/durations.js';
import type { StepDurations } from '../core/durations.js';
import { DroverError } from '../core/errors.js';
import { DEFAULT_POLICY } from '../core/policy.js';
import { maintenancePolicyOf } from '../core/maintenance-window-grammar.js';
import { buildPlan } from '../core/plan-build.js';
import { Redactor } from '../core/redact.js';
import { runUpgrade } from './run-upgrade.js';
import type { RunUpgradeOptions } from './run-upgrade.js';
import { FakeCluster, FROM, TO } from './testing/fake-cluster.js';
import { expectedSeconds } from './window-gate.js';

// The fake cluster's clock starts on Thursday 2026-01-01 at 00:00Z.
function options(c: FakeCluster, windows: string[], mode: 'wait' | 'exit'): RunUpgradeOptions {
  const ports = c.ports();
  return {
    plan: buildPlan('cattle', { inventory: c.inventory, policy: c.policy, from: FROM, to: TO }),
    inventory: c.inventory,
    ports,
    durations: DEFAULT_STEP_DURATIONS,
    runId: 'run-1',
    holderIdentity: 'drover/run-1',
    resume: false,
    redactor: new Redactor(),
    maintenance: maintenancePolicyOf({ windows, outsideWindow: mode }),
  };
}

/** Runs without windows until cp-1's VM is replaced, then "kills the process" (ports hang). */
async function crashAfterCp1Replaced(c: FakeCluster): Promise<void> {
  const plan = options(c, ['Thu 00:00-24:00 UTC'], 'exit').plan;
  const before = plan.phases.find((p) => p.id === 'templates')!.steps.length;
  const cp1 = plan.phases.find((p) => p.id === 'control-plane')!.units[0]!.steps;
  const crashAfter = before + cp1.findIndex((s) => s.action === 'replace-vm') + 1;
  const proc = { killed: false };
  let done = 0;
  let crashed!: () => void;
  const crashedPromise = new Promise<void>((resolve) => (crashed = resolve));
  void runUpgrade({
    ...options(c, ['Thu 00:00-24:00 UTC'], 'exit'),
    ports: c.ports(proc),
    afterStep: () => {
      if (++done < crashAfter) return;
      proc.killed = true;
      crashed();
      return new Promise<never>(() => undefined);
    },
  });
  await crashedPromise;
}

/** Durations under which the GPU worker w-2's cycle is expected to take `seconds`. */
function gpuWorkerTakes(c: FakeCluster, seconds: number): StepDurations {
  const plan = options(c, ['Thu 00:00-24:00 UTC'], 'exit').plan;
  const w2 = plan.phases.flatMap((p) => p.units).find((u) => u.node === 'w-2')!;
  const base = expectedSeconds(w2.steps, DEFAULT_STEP_DURATIONS);
  const waitGpu = DEFAULT_STEP_DURATIONS['wait-gpu'] + seconds - base;
  return { ...DEFAULT_STEP_DURATIONS, 'wait-gpu': waitGpu };
}

describe('runUpgrade with maintenance windows', () => {
  it('waits for the window before it takes the lock (a waiting run holds nothing)', async () => {
    const c = new FakeCluster();
    const o = options(c, ['Thu 12:00-23:00 UTC'], 'wait');
    const acquiredAt: number[] = [];
    const lock = o.ports.lock;
    o.ports = {
      ...o.ports,
      lock: {
        acquire: (identity, ttl) => {
          acquiredAt.push(o.ports.clock.now());
          return lock.acquire(identity, ttl);
        },
        renew: (identity) => lock.renew(identity),
        release: (identity) => lock.release(identity),
      },
    };
    const report = await runUpgrade(o);
    expect(report.outcome).toBe('succeeded');
    expect(acquiredAt).toEqual([Date.parse('2026-01-01T12:00:00Z')]);
  });

  it('a window cut-off leaves nothing cordoned, no noout, the lease released, and says why', async () => {
    const c = new FakeCluster();
    const report = await runUpgrade(options(c, ['Thu 00:00-00:20 UTC'], 'exit'));
    expect(report.outcome).toBe('aborted');
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.nodes.some((n) => n.outcome === 'succeeded')).toBe(true);
    expect(
      report.nodes.map((n) => n.outcome).filter((o) => o !== 'succeeded' && o !== 'not-started'),
    ).toEqual([]);
    expect(c.violations).toEqual([]);
    expect(c.cordoned.size).toBe(0);
    expect(c.noout.size).toBe(0);
    expect(c.lease?.holderIdentity).toBeUndefined();
    const finished = c.journal.entries.filter((e) => e.type === 'run-finished');
    expect(finished.map((e) => e.code)).toEqual(['WINDOW_CLOSED']);
  });

  it('cluster steps (a batch of template rebuilds) start only when they fit too', async () => {
    const c = new FakeCluster();
    // Two minutes before the end of a long window; a batch of rebuilds (two at once) is
    // expected to take 180 s.
    await c.clock.sleep(Date.parse('2026-01-01T11:58:00Z') - c.clock.now());
    const report = await runUpgrade(options(c, ['Thu 00:00-12:00 UTC'], 'exit'));
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.failure?.message).toContain(
      'template rebuilds template/module.template_a_base, template/module.template_b_base not started: expected to take 180s',
    );
    expect([...c.templates.values()]).toEqual([FROM, FROM, FROM]);
    expect(c.journal.entries.filter((e) => e.type.startsWith('step-'))).toEqual([]);
  });

  it('a node held back by the window stops no other: the cycles running finish, the rest that fit start', async () => {
    const policy = structuredClone(DEFAULT_POLICY);
    policy.disruption.maxUnavailableWorkers = 2;
    policy.disruption.maxUnavailableDomains = 2;
    const c = new FakeCluster(undefined, undefined, policy);
    // w-2 (the GPU worker) fits the day-long window only if it starts in its first 100 s.
    const o = {
      ...options(c, ['Thu 00:00-24:00 UTC'], 'exit'),
      durations: gpuWorkerTakes(c, 86_300),
    };
    const report = await runUpgrade(o);
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.failure?.message).toContain('w-2 not started: expected to take');
    expect(report.nodes.map((n) => [n.name, n.outcome])).toEqual([
      ['cp-1', 'succeeded'],
      ['cp-2', 'succeeded'],
      ['cp-3', 'succeeded'],
      ['w-1', 'succeeded'],
      ['w-2', 'not-started'],
      ['w-3', 'succeeded'],
    ]);
    expect(c.violations).toEqual([]);
    expect(c.cordoned.size).toBe(0);
  });

  it('a real failure of a running cycle wins over the window: it is what the run reports', async () => {
    const policy = structuredClone(DEFAULT_POLICY);
    policy.disruption.maxUnavailableWorkers = 2;
    policy.disruption.maxUnavailableDomains = 2;
    const c = new FakeCluster(undefined, { neverReady: new Set(['w-1']) }, policy);
    const o = {
      ...options(c, ['Thu 00:00-24:00 UTC'], 'exit'),
      durations: gpuWorkerTakes(c, 86_300),
    };
    const report = await runUpgrade(o);
    expect(report.outcome).toBe('failed');
    expect(report.failure?.node).toBe('w-1');
    expect(report.failure?.code).not.toBe('WINDOW_CLOSED');
  });

  it('a single cluster step (the final validation) starts only when it fits too', async () => {
    const c = new FakeCluster();
    const o = {
      // Fits the day-long window only in its first 100 s.
      ...options(c, ['Thu 00:00-24:00 UTC'], 'exit'),
      durations: { ...DEFAULT_STEP_DURATIONS, 'validate-cluster': 86_300 },
    };
    const report = await runUpgrade(o);
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.failure?.message).toMatch(
      /validate-cluster not started: expected to take 86300s/,
    );
    expect(report.nodes.every((n) => n.outcome === 'succeeded')).toBe(true);
    expect(c.journal.entries.some((e) => e.action === 'validate-cluster')).toBe(false);
  });

  it('a node a crashed run left half-done is finished even when its cycle no longer fits; the next is held back', async () => {
    const c = new FakeCluster();
    await crashAfterCp1Replaced(c);
    // Resume with one minute of window left: far less than a cycle.
    const end = new Date(Math.ceil((c.clock.now() + 60_000) / 60_000) * 60_000);
    const hhmm = end.toISOString().slice(11, 16);
    const report = await runUpgrade({
      ...options(c, [`Thu 00:00-${hhmm} UTC`], 'exit'),
      resume: true,
    });
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.failure?.message).toContain('cp-2 not started');
    expect(report.nodes.find((n) => n.name === 'cp-1')?.outcome).toBe('succeeded');
    expect(c.replacements).toEqual({ 'cp-1': 1 });
    expect(c.cordoned.size).toBe(0);
    expect(c.violations).toEqual([]);
  });

  it('outside every window, a resume finishes the node a crashed run left half-done, starts nothing new', async () => {
    const c = new FakeCluster();
    await crashAfterCp1Replaced(c);
    // The runner comes back on Thursday, outside the only (Saturday) window; exit mode.
    const report = await runUpgrade({
      ...options(c, ['Sat 00:00-06:00 UTC'], 'exit'),
      resume: true,
    });
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.notes.join('\n')).toContain('left cp-1 half-done: finishing it');
    expect(report.nodes.find((n) => n.name === 'cp-1')?.outcome).toBe('succeeded');
    expect(report.nodes.filter((n) => n.outcome === 'not-started').map((n) => n.name)).toEqual([
      'cp-2',
      'cp-3',
      'w-1',
      'w-2',
      'w-3',
    ]);
    expect(c.replacements).toEqual({ 'cp-1': 1 });
    expect(c.cordoned.size).toBe(0);
    expect(c.lease?.holderIdentity).toBeUndefined();
    expect(c.violations).toEqual([]);
  });

  it('a window too short for any node cycle is refused up front (exit 3), before the wait and the lock', async () => {
    const c = new FakeCluster();
    // Ten minutes every Saturday; a cattle node is expected to take about fourteen.
    const report = await runUpgrade(options(c, ['Sat 02:00-02:10 UTC'], 'wait')).catch(
      (e: unknown) => e,
    );
    expect(report).toBeInstanceOf(DroverError);
    expect((report as DroverError).code).toBe('WINDOW_TOO_SHORT');
    expect((report as DroverError).category).toBe('refused');
    expect((report as DroverError).message).toMatch(
      /cp-1 is expected to take \d+s, the longest window gives 600s/,
    );
    expect(c.clock.now()).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(c.lease).toBeUndefined();
    expect(c.journal.entries).toEqual([]);
  });
});
