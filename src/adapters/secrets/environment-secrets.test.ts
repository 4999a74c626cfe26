import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from '../../core/redact.js';
import { registerEnvironmentSecrets } from './environment-secrets.js';

const config = 'machine:\n  token: abcdef.0123456789abcdef\n  type: worker\n';
const b64 = Buffer.from(config).toString('base64');

describe('registerEnvironmentSecrets', () => {
  it('registers values and their base64-decoded text; skips absent ones', () => {
    const redactor = new Redactor();
    const out: string[] = [];
    const names = registerEnvironmentSecrets(
      { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG', WORKER_CONFIG_B64: b64, EMPTY: '' },
      ['AWS_SECRET_ACCESS_KEY', 'WORKER_CONFIG_B64', 'EMPTY', 'ABSENT'],
      redactor,
      { write: (t) => out.push(t) },
    );
    expect(names).toEqual(['AWS_SECRET_ACCESS_KEY', 'WORKER_CONFIG_B64']);
    expect(redactor.redact('key wJalrXUtnFEMI/K7MDENG')).toBe(`key ${REDACTED}`);
    expect(redactor.redact(`env ${b64}`)).toBe(`env ${REDACTED}`);
    expect(redactor.redact('token: abcdef.0123456789abcdef')).toBe(REDACTED);
    expect(out).toEqual([]); // not under Actions
  });

  it('under GitHub Actions masks each value, multi-line ones line by line, escaped', () => {
    const out: string[] = [];
    registerEnvironmentSecrets(
      { GITHUB_ACTIONS: 'true', TOKEN: 'p%ss\rword-1234', WORKER_CONFIG_B64: b64 },
      ['TOKEN', 'WORKER_CONFIG_B64'],
      new Redactor(),
      { write: (t) => out.push(t) },
    );
    expect(out).toEqual([
      '::add-mask::p%25ss%0Dword-1234\n',
      `::add-mask::${b64}\n`,
      '::add-mask::token: abcdef.0123456789abcdef\n',
    ]);
  });
});
