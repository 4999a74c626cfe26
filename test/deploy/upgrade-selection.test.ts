/** The upgrade workflow hands a selection (`--canary 2`, ...) to drover as separate words, never evaluated. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

interface Workflow {
  on: Record<string, { inputs: Record<string, { type: string; default?: unknown }> }>;
  jobs: { upgrade: { env: Record<string, string>; steps: { id?: string; run?: string }[] } };
}

describe('drover-upgrade.yaml: the selection input', () => {
  it('is an input of both triggers and reaches drover as words', async () => {
    const wf = parse(
      await readFile(join(root, 'deploy', 'workflows', 'drover-upgrade.yaml'), 'utf8'),
    ) as Workflow;
    for (const trigger of ['workflow_call', 'workflow_dispatch'])
      expect(wf.on[trigger]!.inputs.selection).toMatchObject({ type: 'string', default: '' });
    expect(wf.jobs.upgrade.env.SELECTION).toBe('${{ inputs.selection }}');
    const script = wf.jobs.upgrade.steps.find((s) => s.id === 'upgrade')!.run!;
    const dir = await mkdtemp(join(tmpdir(), 'drover-selection-'));
    await run('mkdir', ['-p', join(dir, 'bin')]);
    await writeFile(
      join(dir, 'bin', 'drover'),
      '#!/bin/sh\nprintf "%s\\n" "$@" > "$RUNNER_TEMP/argv"\n',
      {
        mode: 0o755,
      },
    );
    const argv = async (selection: string | undefined) => {
      await run('bash', ['-e', '-c', script], {
        cwd: dir,
        env: {
          ...process.env,
          PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
          RUNNER_TEMP: dir,
          GITHUB_OUTPUT: join(dir, 'output'),
          DROVER_STATE_DIR: join(dir, 'state'),
          DROVER_CONFIG: 'drover.yaml',
          DROVER_KIND: 'cattle',
          TO: '1.11.0',
          FROM: '',
          DRY_RUN: 'false',
          ...(selection === undefined ? {} : { SELECTION: selection }),
        },
      });
      return (await readFile(join(dir, 'argv'), 'utf8')).trim().split('\n');
    };
    expect((await argv('--canary 2')).slice(-2)).toEqual(['--canary', '2']);
    expect((await argv('--nodes k8s-work-1,k8s-work-2 --phase workers')).slice(-4)).toEqual([
      '--nodes',
      'k8s-work-1,k8s-work-2',
      '--phase',
      'workers',
    ]);
    // Never evaluated: a command substitution stays a word for drover to refuse.
    expect((await argv('--nodes $(touch pwned)')).slice(-3)).toEqual([
      '--nodes',
      '$(touch',
      'pwned)',
    ]);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect((await argv(undefined)).at(-1)).toBe(join(dir, 'drover-out', 'audit.jsonl'));
  });
});
