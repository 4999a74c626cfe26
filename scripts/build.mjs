// Bundles the CLI and the GitHub Action into self-contained ESM files under dist/.
// Assets that libraries load at run time (the HCL parser's WebAssembly) are copied beside them.
import { build } from 'esbuild';
import { cp, mkdir, rm, chmod } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// DROVER_BUILD_OUTDIR lets tests build into a private directory while others use dist/.
const dist = process.env.DROVER_BUILD_OUTDIR
  ? resolve(process.env.DROVER_BUILD_OUTDIR)
  : join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// Bundled CommonJS dependencies expect require/__dirname/__filename; ESM has none.
const banner = [
  "import { createRequire as __droverCreateRequire } from 'node:module';",
  "import { fileURLToPath as __droverFileURLToPath } from 'node:url';",
  "import { dirname as __droverDirname } from 'node:path';",
  'const require = __droverCreateRequire(import.meta.url);',
  'const __filename = __droverFileURLToPath(import.meta.url);',
  'const __dirname = __droverDirname(__filename);',
].join('\n');

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

const entries = {
  cli: 'src/cli/main.ts',
  action: 'src/action/main.ts',
};

await build({
  entryPoints: Object.fromEntries(
    Object.entries(entries).filter(([, file]) => existsSync(join(root, file))),
  ),
  absWorkingDir: root,
  outdir: dist,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  banner: { js: banner },
  logLevel: 'warning',
  loader: { '.wasm': 'file' },
  // hcl2json's Go bridge polyfills `performance` from a module that does not exist; Node has
  // the global, so the require never runs: leave it unresolved instead of failing the build.
  external: ['performance'],
  define: { __DROVER_VERSION__: JSON.stringify(pkg.version) },
});

// Assets loaded at run time, resolved relative to the bundle (see src/adapters/hcl).
const assetsFile = join(root, 'scripts', 'build-assets.mjs');
if (existsSync(assetsFile)) {
  const { copyAssets } = await import(assetsFile);
  await copyAssets({ root, dist, cp, mkdir });
}
if (existsSync(join(dist, 'cli.js'))) await chmod(join(dist, 'cli.js'), 0o755);
console.error(`built ${dist}`);
