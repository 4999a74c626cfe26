import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  categoryOf,
  ERROR_CODES,
  isErrorCode,
  type ErrorCode,
} from '../../src/core/error-codes.js';
import { DroverError, ERROR_CATEGORIES, exitCodeFor, isRetryable } from '../../src/core/errors.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

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
  it('gives every code a known category, a retryability, a one-line meaning and a hint', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(ERROR_CATEGORIES).toContain(entry.category);
      expect(typeof entry.retryable).toBe('boolean');
      expect(entry.meaning.trim()).not.toBe('');
      expect(entry.meaning).not.toContain('\n');
      expect(entry.hint.trim()).not.toBe('');
    }
  });

  it('has no dead entries: every code is raised somewhere in src/', async () => {
    const files = (await productionSources(SRC)).filter((f) => !/error-codes[^/]*\.ts$/.test(f));
    const text = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    const unused = Object.keys(ERROR_CODES).filter(
      (code) => !new RegExp(`['"\`]${code}['"\`]`).test(text),
    );
    expect(unused).toEqual([]);
  });

  it('a DroverError takes its category, retryability and default hint from its code', () => {
    const e = new DroverError('failed', 'KUBE_UNAVAILABLE', 'no answer');
    expect(e).toMatchObject({
      code: 'KUBE_UNAVAILABLE',
      category: 'failed',
      retryable: true,
      hint: ERROR_CODES.KUBE_UNAVAILABLE.hint,
    });
    expect(isRetryable(e)).toBe(true);
    const own = new DroverError('refused', 'LEASE_CONFLICT', 'lost a race', { hint: 'read it' });
    expect(own).toMatchObject({ category: 'refused', retryable: false, hint: 'read it' });
    expect(exitCodeFor(own)).toBe(3);
  });

  it('details do not make an error retryable; anything but a DroverError is not', () => {
    const e = new DroverError('failed', 'KUBE_REQUEST_FAILED', 'refused as sent', {
      details: { transient: true },
    });
    expect(isRetryable(e)).toBe(false);
    expect(isRetryable(new Error('connection reset'))).toBe(false);
  });

  it('refuses, at compile time, a code not in the catalogue and a category not its own', () => {
    // @ts-expect-error: not a catalogue code
    const typo = new DroverError('failed', 'NO_SUCH_CODE', 'typo');
    // Only untyped callers get here: their category stands, and nothing is retried.
    expect(typo).toMatchObject({ category: 'failed', retryable: false });
    // @ts-expect-error: LEASE_CONFLICT is refused, never failed
    const wrong = new DroverError('failed', 'LEASE_CONFLICT', 'race');
    // At run time the catalogue's category wins.
    expect(wrong.category).toBe('refused');
    const code: ErrorCode = 'VERSION_INVALID';
    expect(categoryOf(code)).toBe('input');
    expect(isErrorCode('VERSION_INVALID')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
  });
});
