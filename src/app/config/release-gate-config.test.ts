import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { releaseGateFlagsFrom, resolveReleaseGate } from './release-gate-config.js';

const NOW = Date.parse('2026-09-01T00:00:00Z');

function lists(): string {
  const dir = mkdtempSync(join(tmpdir(), 'drover-gate-config-'));
  writeFileSync(
    join(dir, 'a.yaml'),
    '- { version: v1.10.9, publishedAt: "2026-08-01T00:00:00Z" }\n',
  );
  writeFileSync(
    join(dir, 'b.yaml'),
    '- { version: v1.11.0, publishedAt: "2026-08-01T00:00:00Z" }\n',
  );
  return dir;
}

describe('resolveReleaseGate: a flag over the config, the config over nothing', () => {
  it('none without config or flags', async () => {
    expect(await resolveReleaseGate(undefined, {}, NOW)).toBeUndefined();
    expect(await resolveReleaseGate({ section: undefined, dir: '/' }, {}, NOW)).toBeUndefined();
  });

  it('reads the config list relative to the config file, with its minimum age', async () => {
    const dir = lists();
    const gate = await resolveReleaseGate(
      { section: { releaseList: 'a.yaml', minAgeDays: 7 }, dir },
      {},
      NOW,
    );
    expect(gate).toMatchObject({ minAgeDays: 7, now: NOW });
    expect(gate?.releases.map((r) => r.version)).toEqual(['1.10.9']);
  });

  it('each flag overrides its field only', async () => {
    const dir = lists();
    const config = { section: { releaseList: 'a.yaml', minAgeDays: 7 }, dir };
    const list = await resolveReleaseGate(config, { releaseList: join(dir, 'b.yaml') }, NOW);
    expect(list?.releases.map((r) => r.version)).toEqual(['1.11.0']);
    expect(list?.minAgeDays).toBe(7);
    const age = await resolveReleaseGate(config, { minReleaseAgeDays: 0 }, NOW);
    expect(age?.releases.map((r) => r.version)).toEqual(['1.10.9']);
    expect(age?.minAgeDays).toBe(0);
  });

  it('refuses a minimum age without a list, or one that is not a number of days (exit 2)', async () => {
    await expect(
      resolveReleaseGate(undefined, { minReleaseAgeDays: 7 }, NOW),
    ).rejects.toMatchObject({
      code: 'RELEASE_GATE_USAGE',
      message: expect.stringMatching(/needs --release-list/),
    });
    const dir = lists();
    await expect(
      resolveReleaseGate(
        undefined,
        { releaseList: join(dir, 'a.yaml'), minReleaseAgeDays: -1 },
        NOW,
      ),
    ).rejects.toMatchObject({ code: 'RELEASE_GATE_USAGE' });
    expect(releaseGateFlagsFrom({ releaseList: 'x.yaml', minReleaseAge: 'seven' })).toEqual({
      releaseList: 'x.yaml',
      minReleaseAgeDays: Number.NaN,
    });
  });
});
