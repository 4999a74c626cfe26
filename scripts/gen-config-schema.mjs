// Writes schema/drover.schema.json from the zod definition in src/app/config/schema.ts.
import prettier from 'prettier';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { importTs, root } from './import-ts.mjs';

const { configJsonSchemaText } = await importTs('src/app/config/json-schema.ts');
const target = join(root, 'schema', 'drover.schema.json');
await mkdir(dirname(target), { recursive: true });
// Formatted as `prettier --check .` expects, so regenerating never fails the format check.
const options = (await prettier.resolveConfig(target)) ?? {};
await writeFile(
  target,
  await prettier.format(configJsonSchemaText(), { ...options, parser: 'json' }),
);
console.error(`wrote ${target}`);
