/**
 * The two revisions a route compares: --head, and the base (--base, else the push's previous
 * revision under GitHub Actions, else the head's parent; none for a first commit).
 */
import { DroverError } from '../../core/errors.js';
import type { GitReader } from '../../adapters/git/git.js';
import { pushBeforeRevision } from '../../adapters/github-actions/github-actions.js';
import type { RouteOptions, RouteOutcome } from './run-route.js';

export async function resolveBase(
  git: GitReader,
  options: RouteOptions,
  headCommit: string,
): Promise<RouteOutcome['base']> {
  if (options.base !== undefined && options.base !== '') {
    return {
      revision: options.base,
      commit: await resolveOrFail(git, options.base, 'base'),
      source: 'flag',
    };
  }
  const before = await pushBeforeRevision(options.env);
  if (before) {
    const commit = await git.resolveCommit(before);
    if (!commit) {
      throw new DroverError(
        'input',
        'REVISION_NOT_FOUND',
        `the push's previous revision ${before} is not in the clone`,
        {
          hint: 'check out with enough history: actions/checkout with fetch-depth: 0',
        },
      );
    }
    return { revision: before, commit, source: 'push-before' };
  }
  const parent = `${options.head}^`;
  const commit = await git.resolveCommit(parent);
  if (commit) return { revision: parent, commit, source: 'parent' };
  if ((await git.parents(headCommit)).length === 0)
    return { revision: null, commit: null, source: 'none' };
  throw new DroverError(
    'input',
    'REVISION_NOT_FOUND',
    `${parent} is not in the clone (shallow checkout?)`,
    {
      hint: 'fetch more history (actions/checkout with fetch-depth: 0) or pass --base',
    },
  );
}

export async function resolveOrFail(
  git: GitReader,
  revision: string,
  role: 'base' | 'head',
): Promise<string> {
  const commit = await git.resolveCommit(revision);
  if (commit) return commit;
  throw new DroverError(
    'input',
    'REVISION_NOT_FOUND',
    `${role} revision ${JSON.stringify(revision)} does not exist in the repository`,
    {
      hint: `pass --${role} with a commit, branch or tag that exists (a shallow clone may lack it: fetch-depth: 0)`,
    },
  );
}

/** A commit as people read it in messages. */
export function short(commit: string): string {
  return commit.slice(0, 7);
}
