// Scratch copies of the working tree for the mutation check (scripts/mutate.mjs): each mutation
// is applied in a copy, never in the tree itself, so several can run at once (one per core) and
// an interrupted check leaves the sources as they were. A copy holds the working tree as it is
// (uncommitted edits included) without .git, node_modules (a symlink to the tree's), dist/ and
// the test reports.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const SKIPPED = new Set(['.git', 'node_modules', 'dist', '.test-report', 'coverage']);

/** Copies `root` into a fresh temporary directory and returns its path. */
export function makeCopy(root) {
  const copy = mkdtempSync(join(tmpdir(), 'drover-mutate-'));
  cpSync(root, copy, {
    recursive: true,
    // Skipping a top-level directory skips everything under it.
    filter: (source) => !SKIPPED.has(relative(root, source)),
  });
  symlinkSync(realpathSync(join(root, 'node_modules')), join(copy, 'node_modules'), 'dir');
  return copy;
}

export function removeCopy(copy) {
  rmSync(copy, { recursive: true, force: true });
}

/**
 * Runs `vitest run` on `tests` in `cwd` through vitest's own entry (no npx: it costs a second
 * process per run). Resolves to { ok, output }.
 */
export function runVitest(cwd, tests, { maxWorkers, inOrder = false, timeoutMs, signal } = {}) {
  const bin = join(cwd, 'node_modules', 'vitest', 'vitest.mjs');
  if (!existsSync(bin)) throw new Error(`vitest is not installed: ${bin} is missing`);
  const args = [bin, 'run', '--bail=1', '--reporter=dot'];
  if (maxWorkers !== undefined) args.push(`--maxWorkers=${maxWorkers}`);
  if (timeoutMs !== undefined)
    args.push(`--testTimeout=${timeoutMs}`, `--hookTimeout=${timeoutMs}`);
  // inOrder: the files run as `tests` lists them (scripts/mutate-vitest.config.mjs).
  if (inOrder) args.push('--config', join(cwd, 'scripts', 'mutate-vitest.config.mjs'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, ...tests], {
      cwd,
      env: { ...process.env, CI: '1', MUTATE_ORDER: tests.join('\n') },
      signal,
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
    child.on('error', (error) => resolve({ ok: false, output: `${output}${error.message}` }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}
