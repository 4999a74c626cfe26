// Run-time assets of bundled libraries, copied where the bundled code looks for them.
//
// @cdktn/hcl2json (build/bridge.js) loads `join(__dirname, '..', 'main.wasm.gz')` and
// `require('../wasm/bridge_wasm_exec.js')` (which requires './wasm_exec'). Bundled, its code sits
// in a chunk under dist/chunks/ (it is only ever reached through a dynamic import, and the build
// splits dynamic imports into chunks), and the bundle banner defines `__dirname` and `require`
// from that chunk's own URL. So '..' is dist/: the wasm goes to dist/main.wasm.gz. esbuild inlines
// the Go bridge (its require path is a constant), but a copy sits in dist/wasm/ as well so that
// the relative require also resolves should it ever stay a run-time require.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function copyAssets({ root, dist, cp, mkdir }) {
  const hcl = join(root, 'node_modules', '@cdktn', 'hcl2json');
  await mkdir(join(dist, 'wasm'), { recursive: true });
  await cp(join(hcl, 'main.wasm.gz'), join(dist, 'main.wasm.gz'));
  for (const file of ['bridge_wasm_exec.js', 'wasm_exec.js']) {
    await cp(join(hcl, 'wasm', file), join(dist, 'wasm', file));
  }
  // The copied files are CommonJS; dist/ inherits "type": "module" from package.json otherwise.
  await writeFile(join(dist, 'wasm', 'package.json'), '{ "type": "commonjs" }\n');
}
