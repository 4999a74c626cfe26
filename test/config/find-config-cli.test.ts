/**
 * Every command that reads drover.yaml finds it without --config, through the built CLI:
 * --config > DROVER_CONFIG > ./drover.yaml, and a DROVER_CONFIG naming a missing file is exit 2
 * naming the variable (never a silent fall-back to ./drover.yaml).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCliInto } from '../helpers/built-cli.mjs';

let cli: string;
let repo: string;

beforeAll(() => {
  cli = buildCliInto(mkdtempSync(join(tmpdir(), 'drover-cli-')));
  repo = mkdtempSync(join(tmpdir(), 'drover-find-config-'));
  cpSync(new URL('../../examples/patches', import.meta.url).pathname, join(repo, 'patches'), {
    recursive: true,
  });
  const example = readFileSync(new URL('../../examples/drover.yaml', import.meta.url), 'utf8');
  // Three configs that differ only in the cluster name, to see which one a command read.
  for (const [file, name] of [
    ['drover.yaml', 'from-cwd'],
    ['env.yaml', 'from-env'],
    ['flag.yaml', 'from-flag'],
  ] as const)
    writeFileSync(join(repo, file), example.replace(/^cluster: prox-ops$/m, `cluster: ${name}`));
}, 120_000);

function drover(args: string[], cwd: string, env: Record<string, string> = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
  delete base.DROVER_CONFIG;
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...base, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const plan = ['plan', 'cattle', '--to', '1.11.0', '--json'];
const clusterOf = (stdout: string) => (JSON.parse(stdout) as { cluster: string }).cluster;

describe('finding drover.yaml', () => {
  it('reads ./drover.yaml with no --config and no DROVER_CONFIG', () => {
    const r = drover(plan, repo);
    expect(r.status, r.stderr).toBe(0);
    expect(clusterOf(r.stdout)).toBe('from-cwd');
  });

  it('prefers DROVER_CONFIG to ./drover.yaml, and --config to both', () => {
    const env = drover(plan, repo, { DROVER_CONFIG: 'env.yaml' });
    expect(env.status, env.stderr).toBe(0);
    expect(clusterOf(env.stdout)).toBe('from-env');
    const flag = drover([...plan, '--config', 'flag.yaml'], repo, { DROVER_CONFIG: 'env.yaml' });
    expect(flag.status, flag.stderr).toBe(0);
    expect(clusterOf(flag.stdout)).toBe('from-flag');
  });

  it('exits 2 naming DROVER_CONFIG when it names a missing file, for every command', () => {
    for (const args of [
      plan,
      ['upgrade', 'cattle', '--to', '1.11.0', '--dry-run'],
      ['validate'],
      ['diagnose'],
      ['status', '--journal', 'none.jsonl'],
    ]) {
      const r = drover(args, repo, { DROVER_CONFIG: 'gone.yaml' });
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/DROVER_CONFIG names gone\.yaml, which does not exist/);
    }
  });

  it('a duration in a form it does not read is exit 2 naming the field and the forms', () => {
    const text = readFileSync(join(repo, 'drover.yaml'), 'utf8').replace(
      /gracefulSeconds: \S+/,
      'gracefulSeconds: 4 minutes',
    );
    writeFileSync(join(repo, 'bad-duration.yaml'), text);
    const r = drover([...plan, '--config', 'bad-duration.yaml'], repo);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /bad-duration\.yaml:\d+: policy\.drain\.gracefulSeconds: must be whole seconds \(300\) or a duration such as 90s, 4m or 1h30m/,
    );
  });

  it('exits 2 saying where it looked when there is no config at all', () => {
    const empty = mkdtempSync(join(tmpdir(), 'drover-no-config-'));
    const r = drover(plan, empty);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no --config, no DROVER_CONFIG, and no drover\.yaml/);
  });
});
