import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGitHubOutputs } from '../../../test/route/github-outputs.js';
import { appendStepSummary, pushBeforeRevision, writeStepOutputs } from './github-actions.js';

const dir = mkdtempSync(join(tmpdir(), 'drover-gha-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('GitHub Actions protocol', () => {
  it('appends outputs in the multi-line form, values intact', async () => {
    const file = join(dir, 'out');
    writeFileSync(file, 'earlier<<X\nkept\nX\n');
    await writeStepOutputs({ GITHUB_OUTPUT: file }, { a: 'one', b: 'two\nlines', c: '' });
    expect(parseGitHubOutputs(readFileSync(file, 'utf8'))).toEqual({
      earlier: 'kept',
      a: 'one',
      b: 'two\nlines',
      c: '',
    });
  });

  it('appends to the step summary, and does nothing outside a workflow', async () => {
    const file = join(dir, 'summary');
    writeFileSync(file, 'before\n');
    await appendStepSummary({ GITHUB_STEP_SUMMARY: file }, '### hi');
    await appendStepSummary({}, 'ignored');
    await writeStepOutputs({}, { a: 'ignored' });
    expect(readFileSync(file, 'utf8')).toBe('before\n### hi\n');
  });

  it.each([
    ['push with before', 'push', { before: 'abc123' }, 'abc123'],
    ['new branch', 'push', { before: '0000000000000000000000000000000000000000' }, null],
    ['not a push', 'pull_request', { before: 'abc123' }, null],
    ['push without before', 'push', {}, null],
  ])('event before: %s', async (_name, eventName, payload, expected) => {
    const path = join(dir, `event-${_name.replace(/ /g, '-')}.json`);
    writeFileSync(path, JSON.stringify(payload));
    expect(
      await pushBeforeRevision({ GITHUB_EVENT_NAME: eventName, GITHUB_EVENT_PATH: path }),
    ).toBe(expected);
  });

  it('reports an unreadable event file', async () => {
    await expect(
      pushBeforeRevision({
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: join(dir, 'absent.json'),
      }),
    ).rejects.toMatchObject({ code: 'GITHUB_EVENT_UNREADABLE', category: 'input' });
  });
});
