/**
 * The router's release gate (issue 13, opt-in): with --release-list a Talos target must be the
 * newest patch of its line in the list and, with --min-release-age, old enough; the refusal is
 * exit 3 and its reason names what to do. Intermediate hops land on the list's newest patches.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitFixture, variablesTf } from './git-fixture.js';
import { route } from './run.js';

const NOW = Date.parse('2026-09-01T00:00:00Z');
const day = 24 * 3600 * 1000;
const at = (daysAgo: number) => new Date(NOW - daysAgo * day).toISOString();

let repo: GitFixture | undefined;
afterEach(() => repo?.cleanup());

function bump(from: string, to: string): GitFixture {
  const r = GitFixture.create();
  r.write('terraform/variables.tf', variablesTf(from, '1.33.5')).commit('base');
  r.write('terraform/variables.tf', variablesTf(to, '1.33.5')).commit('head');
  writeFileSync(
    join(r.dir, 'releases.yaml'),
    [
      'releases:',
      `  - { version: v1.10.8, publishedAt: "${at(120)}" }`,
      `  - { version: v1.10.10, publishedAt: "${at(40)}" }`,
      `  - { version: v1.11.5, publishedAt: "${at(20)}" }`,
      `  - { version: v1.11.6, publishedAt: "${at(2)}" }`,
    ].join('\n'),
  );
  return r;
}

describe('route --release-list', () => {
  it('routes the newest patch of its line', async () => {
    repo = bump('1.10.8', '1.10.10');
    const run = await route(repo.dir, { releaseList: join(repo.dir, 'releases.yaml'), now: NOW });
    expect(run.exitCode).toBe(0);
    expect(run.document).toMatchObject({ upgrade_type: 'pets', code: null });
  });

  it('refuses an older patch (exit 3), naming the newest', async () => {
    repo = bump('1.10.8', '1.11.5');
    const run = await route(repo.dir, { releaseList: join(repo.dir, 'releases.yaml'), now: NOW });
    expect(run.exitCode).toBe(3);
    expect(run.document).toMatchObject({
      upgrade_type: 'refused',
      code: 'RELEASE_NOT_LATEST_PATCH',
    });
    expect(run.document?.reason).toContain('target 1.11.6 instead');
    expect(run.document?.hint).toContain('--release-list');
  });

  it('refuses a release younger than --min-release-age, saying until when', async () => {
    repo = bump('1.10.8', '1.11.6');
    const options = { releaseList: join(repo.dir, 'releases.yaml'), now: NOW };
    expect((await route(repo.dir, options)).exitCode).toBe(0);
    const run = await route(repo.dir, { ...options, minReleaseAgeDays: 7 });
    expect(run.exitCode).toBe(3);
    expect(run.document?.code).toBe('RELEASE_TOO_NEW');
    expect(run.document?.reason).toContain('wait until 2026-09-06');
  });

  it('lands intermediate hops on the newest patch the list knows', async () => {
    repo = bump('1.8.4', '1.11.6');
    const run = await route(repo.dir, {
      releaseList: join(repo.dir, 'releases.yaml'),
      now: NOW,
      allowMultiHop: true,
    });
    expect(run.document?.hops).toEqual(['1.10.10', '1.11.6']);
  });

  it('rejects a bad list (exit 2) naming the entry', async () => {
    repo = bump('1.10.8', '1.10.10');
    writeFileSync(join(repo.dir, 'bad.yaml'), '- { version: 1.10.10, publishedAt: yesterday }\n');
    const run = await route(repo.dir, { releaseList: join(repo.dir, 'bad.yaml'), now: NOW });
    expect(run.exitCode).toBe(2);
    expect(run.error?.message).toMatch(/entry 0: publishedAt/);
  });
});
