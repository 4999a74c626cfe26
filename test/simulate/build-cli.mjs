// Bundles the CLI into a directory of the caller's choosing (tests must not race over dist/).
import { build } from 'esbuild';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const banner = [
  "import { createRequire as __droverCreateRequire } from 'node:module';",
  "import { fileURLToPath as __droverFileURLToPath } from 'node:url';",
  "import { dirname as __droverDirname } from 'node:path';",
  'const require = __droverCreateRequire(import.meta.url);',
  'const __filename = __droverFileURLToPath(import.meta.url);',
  'const __dirname = __droverDirname(__filename);',
].join('\n');

/** Builds the entry (default: the simulate-only entry beside this file) into `outdir`/cli.js. */
export async function buildCli(outdir, entry = join(root, 'test/simulate/simulate-main.ts')) {
  await build({
    entryPoints: { cli: entry },
    absWorkingDir: root,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: { js: banner },
    logLevel: 'warning',
    loader: { '.wasm': 'file' },
    external: ['performance'],
    define: { __DROVER_VERSION__: '"0.0.0-test"' },
  });
  return join(outdir, 'cli.js');
}

if (process.argv[2]) await buildCli(process.argv[2]);
