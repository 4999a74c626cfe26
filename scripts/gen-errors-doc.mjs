// Writes docs/errors.md from the error-code catalogue in src/core/error-codes.ts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importTs, root } from './import-ts.mjs';

const { errorCodesMarkdown } = await importTs('src/core/error-codes-doc.ts');
const target = join(root, 'docs', 'errors.md');
await writeFile(target, errorCodesMarkdown());
console.error(`wrote ${target}`);
