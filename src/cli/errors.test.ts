import { describe, expect, it } from 'vitest';
import { DroverError } from '../core/errors.js';
import { errorDocument, reportError } from './errors.js';

describe('error documents (--json) and exit codes, from the catalogue', () => {
  it('a DroverError keeps the document shape and adds retryable', () => {
    const cause = new DroverError('failed', 'KUBE_UNAVAILABLE', 'connection refused');
    const error = new DroverError('refused', 'LEASE_CONFLICT', 'lost a race', {
      cause,
      details: { name: 'drover-upgrade' },
    });
    expect(errorDocument(error)).toEqual({
      error: {
        code: 'LEASE_CONFLICT',
        category: 'refused',
        message: 'lost a race',
        hint: expect.stringMatching(/Another Drover run/),
        details: { name: 'drover-upgrade' },
        cause: 'KUBE_UNAVAILABLE: connection refused',
        retryable: false,
      },
    });
    expect(errorDocument(cause)).toMatchObject({ error: { retryable: true, cause: null } });
  });

  it('anything else is UNEXPECTED, exit 1, not retryable', () => {
    expect(errorDocument(new TypeError('x is undefined'))).toEqual({
      error: {
        code: 'UNEXPECTED',
        category: 'failed',
        message: 'x is undefined',
        hint: expect.stringMatching(/DROVER_DEBUG/),
        retryable: false,
      },
    });
    expect(reportError(new TypeError('boom'), { json: false, write: () => undefined })).toBe(1);
  });

  it.each([
    [new DroverError('input', 'VERSION_INVALID', 'bad'), 2],
    [new DroverError('usage', 'KIND_INVALID', 'bad'), 2],
    [new DroverError('refused', 'LEASE_CONFLICT', 'race'), 3],
    [new DroverError('failed', 'KUBE_UNAVAILABLE', 'down'), 1],
    [new DroverError('aborted', 'ABORTED', 'cancelled'), 1],
  ])('%s exits %i', (error, exit) => {
    const lines: string[] = [];
    expect(reportError(error, { json: false, write: (t) => lines.push(t) })).toBe(exit);
    expect(lines[0]).toBe(`error [${error.code}]: ${error.message}\n`);
  });
});
