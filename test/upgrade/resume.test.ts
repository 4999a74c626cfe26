/** --resume semantics of a real run: what the journal already holds decides the run id. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { upgradeCommand } from '../../src/cli/upgrade/run-upgrade-command.js';
import { machineConfigSecrets, skippingClock, startWorld } from './harness.js';
import type { World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function pets(w: World, journal: string, resume: boolean) {
  let stderr = '';
  let stdout = '';
  const code = await upgradeCommand(
    'pets',
    {
      config: w.config,
      to: '1.10.9',
      dryRun: false,
      resume,
      json: false,
      kubeconfig: w.kubeconfig,
      journal,
    },
    {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env: { ...machineConfigSecrets().env, PATH: join(w.dir, 'no-bin') },
      reporter: { event: () => undefined, flush: async () => undefined },
      clock: skippingClock(),
    },
  );
  return { code, stderr, stdout };
}

const entry = (e: Record<string, unknown>) => `${JSON.stringify({ at: 1, ...e })}\n`;

describe('drover upgrade --resume', () => {
  it('starts fresh when the journal is missing, then continues that run on the next --resume', async () => {
    world = await startWorld((t) => t.replace('  s3: true', '  s3: false'));
    const journal = join(world.dir, 'pets.jsonl');
    const first = await pets(world, journal, true);
    expect(first.stderr).toContain('holds no run; starting a fresh one');
    expect(first.code).not.toBe(0);
    // The harness's config switches the registry lookup off (tests stay off the network): the
    // report says so, and why.
    expect(first.stdout + first.stderr).toContain(
      'installer image check skipped (preflight.installerImages is skip in the config)',
    );
    const runId = (JSON.parse(readFileSync(journal, 'utf8').split('\n')[0]!) as { runId: string })
      .runId;

    const second = await pets(world, journal, true);
    expect(second.stderr).toContain(`--resume: continuing run ${runId}`);
  });

  it('refuses to start over an unfinished run without --resume (exit 2)', async () => {
    world = await startWorld((t) => t.replace('  s3: true', '  s3: false'));
    const journal = join(world.dir, 'pets.jsonl');
    writeFileSync(
      journal,
      entry({ type: 'run-started', runId: 'r1', kind: 'pets', from: '1.10.8', to: '1.10.9' }),
    );
    const run = await pets(world, journal, false);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('JOURNAL_UNFINISHED');
    expect(world.cluster.store.list('leases')).toEqual([]);
  });

  it("refuses to resume another upgrade's journal (exit 2)", async () => {
    world = await startWorld((t) => t.replace('  s3: true', '  s3: false'));
    const journal = join(world.dir, 'other.jsonl');
    writeFileSync(
      journal,
      entry({ type: 'run-started', runId: 'r1', kind: 'cattle', from: '1.10.8', to: '1.11.0' }),
    );
    const run = await pets(world, journal, true);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('records a cattle upgrade to 1.11.0, not pets to 1.10.9');
  });

  it('refuses to resume when the config changed since the run started, naming it (exit 2)', async () => {
    world = await startWorld((t) => t.replace('  s3: true', '  s3: false'));
    const journal = join(world.dir, 'pets.jsonl');
    const first = await pets(world, journal, true);
    expect(first.code).not.toBe(0);
    const started = JSON.parse(readFileSync(journal, 'utf8').split('\n')[0]!) as {
      data: { binding: Record<string, string> };
    };
    expect(Object.keys(started.data.binding).sort()).toEqual(['cluster', 'config', 'plan']);
    writeFileSync(world.config, `${readFileSync(world.config, 'utf8')}\n`);
    const same = await pets(world, journal, true);
    expect(same.stderr).not.toContain('JOURNAL_OTHER_RUN');
    writeFileSync(
      world.config,
      readFileSync(world.config, 'utf8').replace(/ttlSeconds: \d+/, 'ttlSeconds: 301'),
    );
    const changed = await pets(world, journal, true);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('JOURNAL_OTHER_RUN');
    expect(changed.stderr).toContain('the config');
  });

  it('resuming a finished run says so and does nothing (exit 0)', async () => {
    world = await startWorld((t) => t.replace('  s3: true', '  s3: false'));
    const journal = join(world.dir, 'pets.jsonl');
    writeFileSync(
      journal,
      entry({ type: 'run-started', runId: 'r1', kind: 'pets', from: '1.10.8', to: '1.10.9' }) +
        entry({ type: 'run-finished', runId: 'r1', outcome: 'succeeded' }),
    );
    const run = await pets(world, journal, true);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('run r1 already finished');
    expect(world.cluster.store.list('leases')).toEqual([]);
    expect(readFileSync(journal, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
