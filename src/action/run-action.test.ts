import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { missingProgram } from '../../test/helpers/programs.js';
import { GitFixture, variablesTf } from '../../test/route/git-fixture.js';
import { parseGitHubOutputs } from '../../test/route/github-outputs.js';
import { runActionWith } from '../../test/route/action-env.js';
import { writeConfig } from '../../test/upgrade/harness.js';

const noGit = missingProgram('git', ['--version']);

describe.skipIf(noGit)('runAction in-process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drover-action-'));
  const repo = noGit ? undefined : GitFixture.create();
  afterAll(() => {
    repo?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  // @actions/core writes workflow commands to stdout and sets process.exitCode on failure.
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  afterEach(() => {
    stdout.mockClear();
    process.exitCode = undefined;
  });

  it('routes with flags from inputs and writes outputs and summary', async () => {
    repo!.write('terraform/variables.tf', variablesTf('1.8.3')).commit('a');
    repo!.write('terraform/variables.tf', variablesTf('1.11.0')).commit('b');
    const output = join(dir, 'out');
    const summary = join(dir, 'summary');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const env = { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, INPUT_REPO: repo!.dir };
    expect(await runActionWith(env)).toBe(3);
    // As the runner passes it: INPUT_ and the name upper-cased, hyphens kept; trimmed by @actions/core.
    expect(await runActionWith({ ...env, 'INPUT_ALLOW-MULTI-HOP': ' True ' })).toBe(0);
    const text = readFileSync(output, 'utf8');
    // Two runs appended: the later values win, as in the runner.
    // Several lines go in place, a phase per hop (cattle cannot build intermediate templates).
    expect(parseGitHubOutputs(text)).toMatchObject({
      upgrade_type: 'pets',
      hops: '["1.10.9","1.11.0"]',
    });
    expect(text).toContain('FORBIDDEN_HOP');
    expect(readFileSync(summary, 'utf8')).toContain('### Drover route: pets');
  });

  it('hands the node selection on as selection_args, and rejects a bad one with exit 2', async () => {
    const output = join(dir, 'out-selection');
    writeFileSync(output, '');
    const env = { GITHUB_OUTPUT: output, INPUT_REPO: repo!.dir, 'INPUT_ALLOW-MULTI-HOP': 'true' };
    expect(await runActionWith({ ...env, INPUT_CANARY: '2', INPUT_PHASE: 'workers' })).toBe(0);
    expect(parseGitHubOutputs(readFileSync(output, 'utf8'))).toMatchObject({
      selection: '{"phases":["workers"],"canary":2}',
      selection_args: '["--phase","workers","--canary","2"]',
    });
    expect(await runActionWith({ ...env, INPUT_ROLE: 'gpu' })).toBe(2);
    expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toMatch(
      /::error::\[SELECTION_INVALID\] --role gpu: not one of controlplane, worker/,
    );
  });

  it('reads the config input: its releaseGate applies; a config that cannot be read is exit 2 naming it', async () => {
    const gated = GitFixture.create();
    try {
      gated.write('terraform/variables.tf', variablesTf('1.10.8')).commit('base');
      gated.write('terraform/variables.tf', variablesTf('1.10.9')).commit('head');
      // v1.10.9 published two days ago, the config asks for seven (real clock: runRoute's now).
      const day = 24 * 60 * 60 * 1000;
      const ago = (days: number) => new Date(Date.now() - days * day).toISOString();
      writeFileSync(
        join(dir, 'young.yaml'),
        `- { version: v1.10.8, publishedAt: "${ago(120)}" }\n- { version: v1.10.9, publishedAt: "${ago(2)}" }\n`,
      );
      const config = writeConfig(
        dir,
        (text) => `${text}\nreleaseGate:\n  releaseList: young.yaml\n  minAgeDays: 7\n`,
      );
      const output = join(dir, 'out-config');
      writeFileSync(output, '');
      const env = { GITHUB_OUTPUT: output, INPUT_REPO: gated.dir };
      expect(await runActionWith(env)).toBe(0);
      expect(await runActionWith({ ...env, INPUT_CONFIG: config })).toBe(3);
      expect(parseGitHubOutputs(readFileSync(output, 'utf8'))).toMatchObject({
        upgrade_type: 'refused',
        code: 'RELEASE_TOO_NEW',
      });

      stdout.mockClear();
      const missing = join(dir, 'no-such-drover.yaml');
      expect(await runActionWith({ ...env, INPUT_CONFIG: missing })).toBe(2);
      const logged = stdout.mock.calls.map((c) => String(c[0])).join('');
      expect(logged).toContain('::error::[CONFIG_NOT_FOUND]');
      expect(logged).toContain(missing);
    } finally {
      gated.cleanup();
    }
  });

  it('rejects a non-boolean flag input with exit 2', async () => {
    expect(await runActionWith({ INPUT_REPO: repo!.dir, 'INPUT_ALLOW-DOWNGRADE': 'yes' })).toBe(2);
    expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toMatch(
      /::error::\[BAD_INPUT\] input allow-downgrade must be true or false, not "yes"/,
    );
  });
});
