/** drover.yaml's maintenance windows reach the engine of a real run (through the fake API server). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { upgradeCommand } from '../../src/cli/upgrade/run-upgrade-command.js';
import type { Clock } from '../../src/ports/clock.js';
import { dryRun, machineConfigSecrets, startWorld } from './harness.js';
import type { World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

// The journal stays local (no S3 in these tests).
const withWindow = (text: string) =>
  `${text.replace('  s3: true', '  s3: false').trimEnd()}\nmaintenance:\n  windows: [Sat 02:00-06:00 UTC]\n  outsideWindow: exit\n`;

/** Wednesday noon UTC: outside the window; sleeping moves the time on. */
function wednesdayClock(): Clock & { slept: number; sleeps: number[] } {
  const start = Date.parse('2026-12-09T12:00:00Z');
  const clock = {
    slept: 0,
    sleeps: [] as number[],
    now: () => start + clock.slept,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      clock.sleeps.push(ms);
      clock.slept += ms;
    },
  };
  return clock;
}

async function pets(w: World, clock: Clock, outsideWindow?: 'wait' | 'exit') {
  let stderr = '';
  const code = await upgradeCommand(
    'pets',
    {
      config: w.config,
      to: '1.10.9',
      dryRun: false,
      resume: false,
      json: false,
      kubeconfig: w.kubeconfig,
      journal: join(w.dir, 'journal.jsonl'),
      ...(outsideWindow ? { outsideWindow } : {}),
    },
    {
      stdout: () => undefined,
      stderr: (t) => void (stderr += t),
      env: { ...machineConfigSecrets().env, PATH: join(w.dir, 'no-bin') },
      reporter: { event: () => undefined, flush: async () => undefined },
      clock,
    },
  );
  return { code, stderr };
}

describe('drover upgrade with maintenance windows', () => {
  it('outside every window: exit 3 naming the next window, before the lock or the journal', async () => {
    world = await startWorld(withWindow);
    const run = await pets(world, wednesdayClock());
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('OUTSIDE_WINDOW');
    expect(run.stderr).toContain('next: 2026-12-12 02:00 UTC');
    expect(world.cluster.store.list('leases')).toEqual([]);
    expect(existsSync(join(world.dir, 'journal.jsonl'))).toBe(false);
  });

  it('--outside-window wait: waits on the clock for the window, then starts inside it', async () => {
    world = await startWorld(withWindow);
    const clock = wednesdayClock();
    const run = await pets(world, clock, 'wait');
    // It then runs (and stops soon after: this test has no registry and no talosctl).
    expect(run.stderr).not.toContain('OUTSIDE_WINDOW');
    const started = readFileSync(join(world.dir, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { type: string; at: number })
      .find((e) => e.type === 'run-started');
    // The first sleep is the wait: Wednesday 12:00 to Saturday 02:00. (This clock lets every
    // sleeper through at once, so the lease renewal's sleeps move it on a little too.)
    expect(clock.sleeps[0]).toBe(62 * 3600 * 1000);
    expect(started?.at).toBeGreaterThanOrEqual(Date.parse('2026-12-12T02:00:00Z'));
    expect(started?.at).toBeLessThan(Date.parse('2026-12-12T06:00:00Z'));
  });

  it('--dry-run says where the clock stands', async () => {
    world = await startWorld(withWindow);
    const run = await dryRun(world, machineConfigSecrets().env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/Maintenance: (inside|outside every) maintenance window/);
  });
});
