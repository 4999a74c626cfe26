import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/error-codes.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

async function productionSources(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await productionSources(path)));
    else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) found.push(path);
  }
  return found;
}

describe('the error-code catalogue', () => {
  it('has no dead entries: every code is raised somewhere in src/', async () => {
    const files = (await productionSources(SRC)).filter((f) => !/error-codes[^/]*\.ts$/.test(f));
    const text = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    const unused = Object.keys(ERROR_CODES).filter(
      (code) => !new RegExp(`['"\`]${code}['"\`]`).test(text),
    );
    expect(unused).toEqual([]);
  });
});
