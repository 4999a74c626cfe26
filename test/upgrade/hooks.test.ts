/**
 * Hooks and the Alertmanager silence in a real `drover upgrade` (in process, against the fake
 * API server): the config's commands run as real processes through the exec chokepoint, the
 * silence goes to a loopback Alertmanager, and secrets stay out of everything they print.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { upgradeCommand } from '../../src/cli/upgrade/run-upgrade-command.js';
import { startAlertmanager } from '../helpers/alertmanager-server.js';
import type { AlertmanagerTestServer } from '../helpers/alertmanager-server.js';
import { machineConfigSecrets, skippingClock, startWorld } from './harness.js';
import type { World } from './harness.js';

const TOKEN = 'am-bearer-7c1d9e2f4a6b8c0d';
let world: World | undefined;
let am: AlertmanagerTestServer | undefined;
afterEach(async () => {
  await world?.close();
  await am?.stop();
  world = undefined;
  am = undefined;
});

const node = JSON.stringify(process.execPath);
/** A hook that writes its DROVER_* environment to `file`, prints the token, and exits `code`. */
const hook = (file: string, code: number) =>
  `    - command: [${node}, -e, 'require("fs").writeFileSync(${JSON.stringify(file)}, JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("DROVER_"))))); console.log("token is " + process.env.AM_TOKEN); process.exit(${code})']\n`;

async function run(beforeRunExit: number) {
  const clock = skippingClock();
  am = await startAlertmanager({ now: () => clock.now(), bearerToken: TOKEN });
  const files = { before: 'before.json', after: 'after.json' };
  world = await startWorld(
    (t) =>
      `${t.replace('  s3: true', '  s3: false')}
hooks:
  beforeRun:
${hook(files.before, beforeRunExit)}  afterRun:
${hook(files.after, 0)}alertmanager:
  url: ${am!.url}
  matchers: [{ name: cluster, value: homelab }]
  bearerTokenEnv: AM_TOKEN
`,
  );
  let stdout = '';
  let stderr = '';
  const code = await upgradeCommand(
    'pets',
    {
      config: world.config,
      to: '1.10.9',
      dryRun: false,
      resume: false,
      json: true,
      kubeconfig: world.kubeconfig,
      journal: join(world.dir, 'journal.jsonl'),
    },
    {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      // No talosctl on PATH: the run fails at its first Talos call, after the hooks began.
      env: { ...machineConfigSecrets().env, AM_TOKEN: TOKEN, PATH: join(world.dir, 'no-bin') },
      reporter: { event: () => undefined, flush: async () => undefined },
      clock,
    },
  );
  const read = (f: string) =>
    JSON.parse(readFileSync(join(world!.dir, f), 'utf8')) as Record<string, string>;
  return {
    code,
    stdout,
    stderr,
    report: JSON.parse(stdout) as Record<string, unknown>,
    read,
    files,
  };
}

describe('drover upgrade with hooks and an Alertmanager silence', () => {
  it('a failing before-run hook: exit 1 with its output (token redacted), nothing touched, after-run told "failed", silence expired', async () => {
    const { code, stdout, stderr, report, read, files } = await run(3);
    expect(code).toBe(1);
    const failure = report.failure as { code: string; message: string };
    expect(failure.code).toBe('HOOK_FAILED');
    expect(failure.message).toContain('exited 3');
    expect(failure.message).toContain('token is [REDACTED]');
    expect(
      `${stdout}${stderr}${readFileSync(join(world!.dir, 'journal.jsonl'), 'utf8')}`,
    ).not.toContain(TOKEN);
    expect((report.nodes as { steps: unknown[] }[]).every((n) => n.steps.length === 0)).toBe(true);
    expect(read(files.before)).toMatchObject({
      DROVER_HOOK: 'before-run',
      DROVER_CLUSTER: 'prox-ops',
      DROVER_KIND: 'pets',
      DROVER_TO: '1.10.9',
    });
    expect(read(files.after)).toMatchObject({ DROVER_HOOK: 'after-run', DROVER_OUTCOME: 'failed' });
    const silences = [...am!.silences.values()];
    expect(silences).toHaveLength(1);
    expect(am!.state(silences[0]!.id)).toBe('expired');
  });

  it('a passing before-run hook: the run goes on (and fails later without talosctl); the after-run hook and the expiry still follow', async () => {
    const { code, report, read, files } = await run(0);
    expect(code).not.toBe(0);
    expect((report.failure as { code: string }).code).not.toBe('HOOK_FAILED');
    expect(read(files.after)).toMatchObject({ DROVER_OUTCOME: 'failed' });
    expect((report.notes as string[]).join('\n')).toMatch(/hook before-run succeeded/);
    expect(am!.state([...am!.silences.keys()][0]!)).toBe('expired');
  });

  it('a hook program that is not there is bad input (exit 2) before anything happens, no silence made', async () => {
    const clock = skippingClock();
    am = await startAlertmanager({ now: () => clock.now() });
    world = await startWorld(
      (t) =>
        `${t.replace('  s3: true', '  s3: false')}
hooks:
  beforeDrain:
    - command: [./scripts/not-there.sh]
alertmanager:
  url: ${am!.url}
  matchers: [{ name: cluster, value: homelab }]
`,
    );
    let stderr = '';
    const code = await upgradeCommand(
      'pets',
      {
        config: world.config,
        to: '1.10.9',
        dryRun: false,
        resume: false,
        json: false,
        kubeconfig: world.kubeconfig,
        journal: join(world.dir, 'journal.jsonl'),
      },
      {
        stdout: () => undefined,
        stderr: (t) => void (stderr += t),
        env: { ...machineConfigSecrets().env, PATH: join(world.dir, 'no-bin') },
        reporter: { event: () => undefined, flush: async () => undefined },
        clock,
      },
    );
    expect(code).toBe(2);
    expect(stderr).toContain('HOOK_PROGRAM_NOT_FOUND');
    expect(stderr).toContain('hooks.beforeDrain[0]: ./scripts/not-there.sh');
    expect(am!.requests).toEqual([]);
    expect(existsSync(join(world.dir, 'journal.jsonl'))).toBe(false);
  });
});
