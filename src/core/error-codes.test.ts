import { describe, expect, it } from 'vitest';
import { categoryOf, ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes.js';
import { DroverError, ERROR_CATEGORIES, exitCodeFor, isRetryable } from './errors.js';

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
