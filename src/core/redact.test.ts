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

  it('redacts exactly as a plain pass over every secret, longest first, does (random secrets and texts)', () => {
    // The plain pass the indexed one must agree with.
    const plain = (secrets: string[], text: string) => {
      let out = text;
      for (const secret of [...secrets].sort((a, b) => b.length - a.length))
        if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      return out;
    };
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    // A small alphabet with the characters of REDACTED makes overlaps and near misses common.
    const alphabet = 'abRE[D]AT ';
    const word = (min: number, max: number) =>
      Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () =>
        alphabet.charAt(Math.floor(next() * alphabet.length)),
      ).join('');
    for (let round = 0; round < 300; round++) {
      const redactor = new Redactor();
      const secrets = Array.from({ length: 1 + Math.floor(next() * 8) }, () => word(4, 9));
      for (const secret of secrets) redactor.add(secret);
      const registered = secrets.map((s) => s.trim()).filter((s) => s.length >= 4);
      for (let t = 0; t < 10; t++) {
        // Texts built from pieces of the secrets and noise, so that they often contain some.
        const text = Array.from({ length: 1 + Math.floor(next() * 5) }, () =>
          next() < 0.5 ? (secrets[Math.floor(next() * secrets.length)] ?? '') : word(0, 6),
        ).join('');
        expect(redactor.redact(text), JSON.stringify({ secrets, text })).toBe(
          plain(registered, text),
        );
      }
    }
  });
});
