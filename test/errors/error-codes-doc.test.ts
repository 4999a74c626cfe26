import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { errorCodesMarkdown } from '../../src/core/error-codes-doc.js';
import { ERROR_CODES } from '../../src/core/error-codes.js';

describe('docs/errors.md', () => {
  it('equals a fresh rendering of the catalogue (run node scripts/gen-errors-doc.mjs)', async () => {
    const committed = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(committed).toBe(errorCodesMarkdown());
  });

  it('has one row per code, with its exit code and retryability', () => {
    const doc = errorCodesMarkdown();
    const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toHaveLength(Object.keys(ERROR_CODES).length);
    expect(doc).toContain('| `LEASE_CONFLICT` | 3 | refused | no |');
    expect(doc).toContain('| `KUBE_UNAVAILABLE` | 1 | failed | yes |');
    expect(doc).toContain('| `VERSION_INVALID` | 2 | input | no |');
    expect(doc).toContain('| `WINDOW_CLOSED` | 4 | aborted | no |');
  });
});
