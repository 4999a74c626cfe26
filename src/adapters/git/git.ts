/**
 * Reads files at revisions of a git repository through the git CLI (via the exec chokepoint).
 * A revision that does not exist and a file that does not exist at a revision are different
 * answers: the first is an error (REVISION_NOT_FOUND), the second is `null`.
 */
import { stat } from 'node:fs/promises';
import { DroverError } from '../../core/errors.js';
import { exec, execChecked, type ExecResult } from '../exec/exec.js';

const GIT_TIMEOUT_MS = 30_000;

export interface GitReader {
  /** Full commit id of `revision`, or null when it does not name a commit. */
  resolveCommit(revision: string): Promise<string | null>;
  /** Commit ids of the parents of `commit` (none for a root commit). */
  parents(commit: string): Promise<readonly string[]>;
  /** The file's text at `commit`, or null when the path does not exist there. */
  readFile(commit: string, path: string): Promise<string | null>;
  /** File names directly inside `dir` at `commit` (empty when the directory does not exist). */
  listDirectory(commit: string, dir: string): Promise<readonly string[]>;
}

/** git with the arguments every call shares, in the repository. */
type Git = (args: string[]) => Promise<ExecResult>;

/** Paths are relative to `repo` (which may be a subdirectory of the work tree). */
export function createGitReader(repo: string, signal?: AbortSignal): GitReader {
  const git: Git = (args) =>
    exec({
      file: 'git',
      args: ['-c', 'core.quotepath=off', ...args],
      cwd: repo,
      timeoutMs: GIT_TIMEOUT_MS,
      signal,
    });
  let checkedRepo: Promise<void> | undefined;
  const ensureRepo = () => (checkedRepo ??= checkRepository(repo, git));
  return {
    async resolveCommit(revision) {
      await ensureRepo();
      if (revision.startsWith('-')) return null;
      const result = await git([
        'rev-parse',
        '--verify',
        '--quiet',
        '--end-of-options',
        `${revision}^{commit}`,
      ]);
      return result.exitCode === 0 ? result.stdout.trim() : null;
    },
    async parents(commit) {
      const result = await execChecked({
        file: 'git',
        args: ['rev-list', '--parents', '-n', '1', commit],
        cwd: repo,
        timeoutMs: GIT_TIMEOUT_MS,
        signal,
        errorCode: 'GIT_FAILED',
      });
      return result.stdout.trim().split(/\s+/).slice(1);
    },
    readFile: (commit, path) => readBlob(git, commit, path),
    listDirectory: (commit, dir) => listTree(git, commit, dir),
  };
}

/** `repo` is a directory inside a git work tree: REPOSITORY_NOT_FOUND or NOT_A_GIT_REPOSITORY if not. */
async function checkRepository(repo: string, git: Git): Promise<void> {
  const notFound = () =>
    new DroverError('input', 'REPOSITORY_NOT_FOUND', `${repo} is not a directory`, {
      hint: 'pass --repo with the path of a clone of the infrastructure repository',
    });
  const info = await stat(repo).catch(() => {
    throw notFound();
  });
  if (!info.isDirectory()) throw notFound();
  const result = await git(['rev-parse', '--git-dir']);
  if (result.exitCode !== 0) {
    throw new DroverError(
      'input',
      'NOT_A_GIT_REPOSITORY',
      `${repo} is not inside a git repository`,
      {
        hint: 'pass --repo with the path of a clone of the infrastructure repository',
        details: { stderr: result.stderr.trim() },
      },
    );
  }
}

async function readBlob(git: Git, commit: string, path: string): Promise<string | null> {
  const spec = `${commit}:${relative(path)}`;
  const exists = await git(['cat-file', '-e', spec]);
  if (exists.exitCode !== 0) return null;
  const type = await git(['cat-file', '-t', spec]);
  if (type.stdout.trim() !== 'blob') return null;
  const result = await git(['cat-file', 'blob', spec]);
  if (result.exitCode !== 0) {
    throw new DroverError(
      'failed',
      'GIT_FAILED',
      `git could not read ${path} at ${commit}: ${result.stderr.trim()}`,
    );
  }
  return result.stdoutBytes.toString('utf8');
}

async function listTree(git: Git, commit: string, dir: string): Promise<readonly string[]> {
  const spec = `${commit}:${relative(dir)}`;
  const type = await git(['cat-file', '-t', spec]);
  if (type.exitCode !== 0 || type.stdout.trim() !== 'tree') return [];
  const result = await git(['ls-tree', '--name-only', '-z', spec]);
  if (result.exitCode !== 0) return [];
  return result.stdout.split('\0').filter((name) => name !== '');
}

/** `rev:./path` is resolved against the working directory, so --repo may be a subdirectory. */
function relative(path: string): string {
  const trimmed = path
    .replace(/\\/g, '/')
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
  return trimmed === '' || trimmed === '.' ? './' : `./${trimmed}`;
}
