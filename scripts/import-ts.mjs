// Imports a TypeScript module of src/ from a script: bundled on the fly with esbuild into a
// temporary folder, so no build step is needed first. Used by the gen-* scripts.
import { build } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The module at `entry` (relative to the repository root). */
export async function importTs(entry) {
  const work = await mkdtemp(join(tmpdir(), 'drover-import-ts-'));
  try {
    const outfile = join(work, 'module.mjs');
    await build({
      entryPoints: [join(root, entry)],
      absWorkingDir: root,
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      logLevel: 'warning',
    });
    return await import(pathToFileURL(outfile).href);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
