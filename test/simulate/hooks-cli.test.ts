/**
 * SIGTERM to a real `drover simulate` process with scripted hooks: the run ends as aborted at a
 * step boundary, and the after hooks still run (the node in flight's after-uncordon, then
 * after-run told `aborted`), before the process exits.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { UpgradeReport } from '../../src/core/report.js';
import { buildCliInto } from '../helpers/built-cli.mjs';
import { scenarioFile, tempDir } from './helpers.js';

let cli: string;
beforeAll(async () => {
  cli = await buildCliInto(tempDir());
}, 120_000);

function terminateWhen(args: string[], cwd: string, marker: string) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [cli, 'simulate', ...args], {
        cwd,
        env: { ...process.env, CI: '1' },
      });
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (!sent && stderr.includes(marker)) {
          sent = true;
          child.kill('SIGTERM');
        }
      });
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    },
  );
}

describe('hooks on SIGTERM, as a process', () => {
  it('SIGTERM mid-node: aborted (exit 1), and the after hooks owed still run', async () => {
    const dir = tempDir();
    const scenario = scenarioFile(dir, 'hooks-sigterm', (s) => {
      s.hooks = ['before-run', 'after-run', 'before-drain', 'after-uncordon'].map((point) => ({
        point: point as 'before-run',
        command: [`${point}.sh`],
        durationSeconds: 1,
        timeoutSeconds: 300,
        output: '',
      }));
    });
    const audit = join(dir, 'audit.jsonl');
    const run = await terminateWhen(
      ['--scenario', scenario, '--json', '--audit', audit],
      dir,
      'k8s-ctrl-2: Cordon',
    );
    expect(run.status, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as UpgradeReport;
    expect(report.outcome).toBe('aborted');
    expect(report.violations).toEqual([]);
    const hooks = readFileSync(audit, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { operation: string; inputs: Record<string, unknown> })
      .filter((r) => r.operation.startsWith('hooks.'))
      .map((r) => [r.operation, r.inputs.node ?? null, r.inputs.outcome ?? null]);
    expect(hooks[0]).toEqual(['hooks.before-run', null, null]);
    expect(hooks.at(-1)).toEqual(['hooks.after-run', null, 'aborted']);
    // Every node whose before-drain ran got its after-uncordon.
    const drained = hooks.filter((h) => h[0] === 'hooks.before-drain').map((h) => h[1]);
    const back = hooks.filter((h) => h[0] === 'hooks.after-uncordon').map((h) => h[1]);
    expect(drained.length).toBeGreaterThan(0);
    expect(back).toEqual(drained);
  }, 300_000);
});
