// Writes docs/errors.md from the error-code catalogue in src/core/error-codes.ts.
// The TypeScript module is bundled on the fly with esbuild, so no build step is needed first.
import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = await mkdtemp(join(tmpdir(), 'drover-errors-doc-'));
try {
  const outfile = join(work, 'error-codes-doc.mjs');
  await build({
    entryPoints: [join(root, 'src/core/error-codes-doc.ts')],
    absWorkingDir: root,
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
  });
  const { errorCodesMarkdown } = await import(pathToFileURL(outfile).href);
  const target = join(root, 'docs', 'errors.md');
  await writeFile(target, errorCodesMarkdown());
  console.error(`wrote ${target}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
