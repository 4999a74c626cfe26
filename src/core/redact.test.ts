import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from './redact.js';

describe('Redactor', () => {
  it.each([
    ['plain secret in text', ['s3cr3t-token'], 'token=s3cr3t-token;', `token=${REDACTED};`],
    ['short values are not secrets', ['abc'], 'abc abc', 'abc abc'],
    ['longest secret wins', ['abcd', 'abcdefgh'], 'x abcdefgh y', `x ${REDACTED} y`],
    ['every occurrence', ['hunter22'], 'hunter22/hunter22', `${REDACTED}/${REDACTED}`],
  ])('%s', (_name, secrets, input, expected) => {
    const r = new Redactor();
    for (const s of secrets) r.add(s);
    expect(r.redact(input)).toBe(expected);
  });

  it('redacts single lines of a multi-line secret', () => {
    const r = new Redactor();
    r.add('machine:\n  token: abcdefghijklmnopqrstuvwxyz\n  ca: zz');
    expect(r.redact('saw   token: abcdefghijklmnopqrstuvwxyz in logs')).not.toContain(
      'abcdefghijklmnop',
    );
  });

  it('deep-redacts JSON values', () => {
    const r = new Redactor();
    r.add('p4ssw0rd!');
    expect(r.redactValue({ a: ['x p4ssw0rd!'], b: { c: 'p4ssw0rd!' }, n: 1 })).toEqual({
      a: [`x ${REDACTED}`],
      b: { c: REDACTED },
      n: 1,
    });
  });
});
