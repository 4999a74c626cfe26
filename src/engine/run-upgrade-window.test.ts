import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../adapters/simulated/scenario/schema.js';
import { DEFAULT_STEP_DURATIONS } from '../core/durations.js';
import type { StepDurations } from '../core/durations.js';
import { DroverError } from '../core/errors.js';
import { maintenancePolicyOf } from '../core/maintenance-window-grammar.js';
import { runUpgrade } from './run-upgrade.js';
import type { RunUpgradeOptions } from './run-upgrade.js';
import { killable } from './testing/twin-faults.js';
import {
  cordonedNodes,
  leaseHolder,
  replacedVms,
  templateVersions,
  twinRun,
} from './testing/twin-run.js';
import type { TwinRun } from './testing/twin-run.js';
import { expectedSeconds } from './window-gate.js';

const FROM = '1.10.8';
const START = '2026-01-01T00:00:00Z';

// The twin's clock starts on Thursday 2026-01-01 at 00:00Z.
function twin(scenario: Partial<ScenarioInput> = {}): Promise<TwinRun> {
  return twinRun({ scenario: { startAt: START, ...scenario } });
}

function options(
  t: TwinRun,
  windows: string[],
  mode: 'wait' | 'exit',
  over: Partial<RunUpgradeOptions> = {},
): RunUpgradeOptions {
  return t.upgrade({
    durations: DEFAULT_STEP_DURATIONS,
    maintenance: maintenancePolicyOf({ windows, outsideWindow: mode }),
    ...over,
  });
}

/**
 * Runs without windows until cp-1's VM is replaced (and `more` steps after it: cp-2's lead-in,
 * core/lead-in.ts, runs while cp-1 boots), then "kills the process" (ports hang).
 */
async function crashAfterCp1Replaced(t: TwinRun, more = 0): Promise<void> {
  const plan = t.run.plan;
  const before = plan.phases.find((p) => p.id === 'templates')!.steps.length;
  const cp1 = plan.phases.find((p) => p.id === 'control-plane')!.units[0]!.steps;
  const crashAfter = before + cp1.findIndex((s) => s.action === 'replace-vm') + 1 + more;
  const proc = killable(t.newPorts());
  let done = 0;
  // With a lead-in to reach, no window (under windows the next node has no lead-in).
  const crashing =
    more > 0
      ? t.upgrade({ durations: DEFAULT_STEP_DURATIONS })
      : options(t, ['Thu 00:00-24:00 UTC'], 'exit');
  void runUpgrade({
    ...crashing,
    ports: proc.ports,
    afterStep: () => {
      if (++done < crashAfter) return;
      proc.kill();
      return new Promise<never>(() => undefined);
    },
  });
  await proc.died;
}

/** Durations under which the GPU worker w-4's cycle is expected to take `seconds`. */
function gpuWorkerTakes(t: TwinRun, seconds: number): StepDurations {
  const w4 = t.run.plan.phases.flatMap((p) => p.units).find((u) => u.node === 'w-4')!;
  const base = expectedSeconds(w4.steps, DEFAULT_STEP_DURATIONS);
  const waitGpu = DEFAULT_STEP_DURATIONS['wait-gpu'] + seconds - base;
  return { ...DEFAULT_STEP_DURATIONS, 'wait-gpu': waitGpu };
}

/** Two workers of two domains at once, on a Ceph that survives losing two domains. */
const TWO_AT_ONCE: Partial<ScenarioInput> = {
  policy: { disruption: { maxUnavailableWorkers: 2, maxUnavailableDomains: 2 } },
  storage: { ceph: true, toleratedDomainsDown: 2 },
};

describe('runUpgrade with maintenance windows', () => {
  it('waits for the window before it takes the lock (a waiting run holds nothing)', async () => {
    const t = await twin();
    const o = options(t, ['Thu 12:00-23:00 UTC'], 'wait');
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
    const t = await twin();
    // Room for the template rebuilds (about seven minutes on the twin) and a node or two.
    const report = await runUpgrade(options(t, ['Thu 00:00-00:40 UTC'], 'exit'));
    expect(report.outcome).toBe('aborted');
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.nodes.some((n) => n.outcome === 'succeeded')).toBe(true);
    expect(
      report.nodes.map((n) => n.outcome).filter((o) => o !== 'succeeded' && o !== 'not-started'),
    ).toEqual([]);
    expect(t.cluster.violations()).toEqual([]);
    expect(await cordonedNodes(t.cluster)).toEqual([]);
    expect(await t.cluster.ports.storage.nooutDomains()).toEqual([]);
    expect(await leaseHolder(t.cluster)).toBeUndefined();
    const finished = t.journal.entries.filter((e) => e.type === 'run-finished');
    expect(finished.map((e) => e.code)).toEqual(['WINDOW_CLOSED']);
  });

  it('cluster steps (a batch of template rebuilds) start only when they fit too', async () => {
    const t = await twin();
    // Two minutes before the end of a long window; a batch of rebuilds (two at once) is
    // expected to take 180 s.
    await t.cluster.clock.sleep(Date.parse('2026-01-01T11:58:00Z') - t.cluster.clock.now());
    const report = await runUpgrade(options(t, ['Thu 00:00-12:00 UTC'], 'exit'));
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.failure?.message).toContain(
      'template rebuilds template/module.template_h1_base, template/module.template_h2_base not started: expected to take 180s',
    );
    expect(await templateVersions(t.cluster)).toEqual([FROM, FROM, FROM, FROM]);
    expect(t.journal.entries.filter((e) => e.type.startsWith('step-'))).toEqual([]);
  });

  it('a node held back by the window stops no other: the cycles running finish, the rest that fit start', async () => {
    const t = await twin(TWO_AT_ONCE);
    // w-4 (the GPU worker) fits the day-long window only if it starts in its first 100 s.
    const report = await runUpgrade(
      options(t, ['Thu 00:00-24:00 UTC'], 'exit', { durations: gpuWorkerTakes(t, 86_300) }),
    );
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.failure?.message).toContain('w-4 not started: expected to take');
    expect(report.nodes.map((n) => [n.name, n.outcome])).toEqual([
      ['cp-1', 'succeeded'],
      ['cp-2', 'succeeded'],
      ['cp-3', 'succeeded'],
      ['w-1', 'succeeded'],
      ['w-2', 'succeeded'],
      ['w-3', 'succeeded'],
      ['w-4', 'not-started'],
    ]);
    expect(t.cluster.violations()).toEqual([]);
    expect(await cordonedNodes(t.cluster)).toEqual([]);
  });

  it('a real failure of a running cycle wins over the window: it is what the run reports', async () => {
    const t = await twin({ ...TWO_AT_ONCE, faults: [{ type: 'never-ready', node: 'w-1' }] });
    const report = await runUpgrade(
      options(t, ['Thu 00:00-24:00 UTC'], 'exit', { durations: gpuWorkerTakes(t, 86_300) }),
    );
    expect(report.outcome).toBe('failed');
    expect(report.failure?.node).toBe('w-1');
    expect(report.failure?.code).not.toBe('WINDOW_CLOSED');
  });

  it('a single cluster step (the final validation) starts only when it fits too', async () => {
    const t = await twin();
    const report = await runUpgrade(
      // Fits the day-long window only in its first 100 s.
      options(t, ['Thu 00:00-24:00 UTC'], 'exit', {
        durations: { ...DEFAULT_STEP_DURATIONS, 'validate-cluster': 86_300 },
      }),
    );
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.failure?.message).toMatch(
      /validate-cluster not started: expected to take 86300s/,
    );
    expect(report.nodes.every((n) => n.outcome === 'succeeded')).toBe(true);
    expect(t.journal.entries.some((e) => e.action === 'validate-cluster')).toBe(false);
  });

  it('a node a crashed run left half-done is finished even when its cycle no longer fits; the next is held back', async () => {
    const t = await twin();
    await crashAfterCp1Replaced(t);
    // Resume inside a window of a minute or two that ends a minute from now: no window is long
    // enough for a cycle, yet the half-done node is finished (not refused as too short).
    const now = t.cluster.clock.now();
    const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
    const start = hhmm(Math.floor(now / 60_000) * 60_000);
    const end = hhmm(Math.ceil((now + 60_000) / 60_000) * 60_000);
    const report = await runUpgrade(
      options(t, [`Thu ${start}-${end} UTC`], 'exit', { resume: true }),
    );
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.failure?.message).toContain('cp-2 not started');
    expect(report.nodes.find((n) => n.name === 'cp-1')?.outcome).toBe('succeeded');
    expect(replacedVms(t.cluster)).toEqual({ 'cp-1': 1 });
    expect(await cordonedNodes(t.cluster)).toEqual([]);
    expect(t.cluster.violations()).toEqual([]);
  });

  it('outside every window, a resume finishes the node a crashed run left half-done, starts nothing new', async () => {
    const t = await twin();
    await crashAfterCp1Replaced(t);
    // The runner comes back on Thursday, outside the only (Saturday) window; exit mode.
    const report = await runUpgrade(options(t, ['Sat 00:00-06:00 UTC'], 'exit', { resume: true }));
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.notes.join('\n')).toContain('left cp-1 half-done: finishing it');
    expect(report.nodes.find((n) => n.name === 'cp-1')?.outcome).toBe('succeeded');
    expect(report.nodes.filter((n) => n.outcome === 'not-started').map((n) => n.name)).toEqual([
      'cp-2',
      'cp-3',
      'w-1',
      'w-2',
      'w-3',
      'w-4',
    ]);
    expect(replacedVms(t.cluster)).toEqual({ 'cp-1': 1 });
    expect(await cordonedNodes(t.cluster)).toEqual([]);
    expect(await leaseHolder(t.cluster)).toBeUndefined();
    expect(t.cluster.violations()).toEqual([]);
  });

  it("resumed outside every window after the next node's lead-in ran: that node is held back all the same", async () => {
    const t = await twin();
    // cp-2's backup ran while cp-1 booted, then the runner died.
    await crashAfterCp1Replaced(t, 1);
    const done = (id: string) =>
      t.journal.entries.some((e) => e.type === 'step-finished' && e.stepId === id);
    expect(done('cp-2/backup-state')).toBe(true);
    const report = await runUpgrade(options(t, ['Sat 00:00-06:00 UTC'], 'exit', { resume: true }));
    expect(report.failure?.code).toBe('WINDOW_CLOSED');
    expect(report.nodes.find((n) => n.name === 'cp-1')?.outcome).toBe('succeeded');
    // Its lead-in did not start its cycle: not started, nothing of it touched.
    expect(report.nodes.find((n) => n.name === 'cp-2')?.outcome).toBe('not-started');
    expect(replacedVms(t.cluster)).toEqual({ 'cp-1': 1 });
    expect(await cordonedNodes(t.cluster)).toEqual([]);
    expect(t.cluster.violations()).toEqual([]);
  });

  it('a window too short for any node cycle is refused up front (exit 3), before the wait and the lock', async () => {
    const t = await twin();
    // Ten minutes every Saturday; a cattle node is expected to take about fourteen.
    const report = await runUpgrade(options(t, ['Sat 02:00-02:10 UTC'], 'wait')).catch(
      (e: unknown) => e,
    );
    expect(report).toBeInstanceOf(DroverError);
    expect((report as DroverError).code).toBe('WINDOW_TOO_SHORT');
    expect((report as DroverError).category).toBe('refused');
    expect((report as DroverError).message).toMatch(
      /cp-1 is expected to take \d+s, the longest window gives 600s/,
    );
    expect(t.cluster.clock.now()).toBe(Date.parse(START));
    expect(
      await t.cluster.ports.kubernetes.getLease('kube-system', 'drover-upgrade'),
    ).toBeUndefined();
    expect(t.journal.entries).toEqual([]);
  });
});
