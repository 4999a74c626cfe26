import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findProgram } from './find-program.js';

const dir = mkdtempSync(join(tmpdir(), 'drover-find-'));
mkdirSync(join(dir, 'bin'));
writeFileSync(join(dir, 'bin', 'notify'), '#!/bin/sh\n');
chmodSync(join(dir, 'bin', 'notify'), 0o755);
writeFileSync(join(dir, 'plain.txt'), 'not executable');

describe('findProgram', () => {
  it('finds a bare name on PATH, and not elsewhere', () => {
    expect(findProgram('notify', '/', join(dir, 'bin'))).toBe(join(dir, 'bin', 'notify'));
    expect(findProgram('notify', dir, '/nonexistent')).toBeUndefined();
    expect(findProgram('notify', dir, undefined)).toBeUndefined();
  });

  it('takes a path with a slash relative to the config directory', () => {
    expect(findProgram('./bin/notify', dir, '')).toBe(join(dir, 'bin', 'notify'));
    expect(findProgram(join(dir, 'bin', 'notify'), '/', '')).toBe(join(dir, 'bin', 'notify'));
    expect(findProgram('./bin/missing', dir, '')).toBeUndefined();
  });

  it('a file that is not executable, or a directory, cannot be started', () => {
    expect(findProgram('./plain.txt', dir, '')).toBeUndefined();
    expect(findProgram('./bin', dir, '')).toBeUndefined();
  });
});
