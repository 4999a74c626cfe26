// Writes schema/drover.schema.json from the zod definition in src/app/config/schema.ts.
// The TypeScript module is bundled on the fly with esbuild, so no build step is needed first.
import { build } from 'esbuild';
import prettier from 'prettier';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = await mkdtemp(join(tmpdir(), 'drover-schema-'));
try {
  const outfile = join(work, 'json-schema.mjs');
  await build({
    entryPoints: [join(root, 'src/app/config/json-schema.ts')],
    absWorkingDir: root,
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
  });
  const { configJsonSchemaText } = await import(pathToFileURL(outfile).href);
  const target = join(root, 'schema', 'drover.schema.json');
  await mkdir(dirname(target), { recursive: true });
  // Formatted as `prettier --check .` expects, so regenerating never fails the format check.
  const options = (await prettier.resolveConfig(target)) ?? {};
  await writeFile(
    target,
    await prettier.format(configJsonSchemaText(), { ...options, parser: 'json' }),
  );
  console.error(`wrote ${target}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
