import { afterAll, describe, expect, it } from 'vitest';
import { missingProgram } from '../../../test/helpers/programs.js';
import { GitFixture } from '../../../test/route/git-fixture.js';
import { createGitReader } from './git.js';

const noGit = missingProgram('git', ['--version']);

describe.skipIf(noGit)('git reader', () => {
  const repo = noGit ? undefined : GitFixture.create();
  afterAll(() => repo?.cleanup());

  it('tells a missing revision (null commit) from a missing file (null text)', async () => {
    const first = repo!.write('a/b.txt', 'one\r\n').commit('first');
    const second = repo!.write('a/c.txt', 'two').commit('second');
    const git = createGitReader(repo!.dir);
    expect(await git.resolveCommit('HEAD')).toBe(second);
    expect(await git.resolveCommit('HEAD^')).toBe(first);
    expect(await git.resolveCommit('HEAD~5')).toBeNull();
    expect(await git.resolveCommit('no-such-branch')).toBeNull();
    expect(await git.readFile(first, 'a/b.txt')).toBe('one\r\n');
    expect(await git.readFile(first, './a/c.txt')).toBeNull();
    expect(await git.readFile(first, 'a')).toBeNull();
    expect(await git.listDirectory(second, 'a')).toEqual(['b.txt', 'c.txt']);
    expect(await git.listDirectory(second, 'zzz')).toEqual([]);
    expect(await git.parents(first)).toEqual([]);
    expect(await git.parents(second)).toEqual([first]);
  });
});
