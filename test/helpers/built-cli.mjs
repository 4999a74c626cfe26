// Builds the real bundle (scripts/build.mjs, the same build users run) into a directory of the
// caller's choosing, so tests never race over dist/. Returns the path of cli.js.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** @param {string} outdir @returns {string} */
export function buildCliInto(outdir) {
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DROVER_BUILD_OUTDIR: outdir },
  });
  if (build.status !== 0) throw new Error(`build failed (exit ${build.status}): ${build.stderr}`);
  return join(outdir, 'cli.js');
}
