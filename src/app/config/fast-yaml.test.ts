import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { fastYamlValue, mayDiffer } from './fast-yaml.js';

/** What load-config would get from the Document parser (its slow path). */
const documentValue = (text: string): unknown => parseDocument(text, { uniqueKeys: true }).toJS();

const examples = join(import.meta.dirname, '..', '..', '..', 'examples');

describe('fastYamlValue reads a config exactly as the Document parser does', () => {
  it('on every example config and scenario', () => {
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(join(examples, file), 'utf8');
      const fast = fastYamlValue(text);
      expect(fast, file).toBeDefined();
      expect(fast?.value, file).toEqual(documentValue(text));
    }
  });

  // YAML 1.2 core schema scalars, and the YAML 1.1 forms that 1.2 reads as strings.
  const scalars = [
    '~',
    'null',
    'Null',
    'NULL',
    '',
    'true',
    'True',
    'TRUE',
    'false',
    'FALSE',
    'yes',
    'no',
    'on',
    'off',
    'y',
    'n',
    '0',
    '-0',
    '+12',
    '012',
    '0o17',
    '0O17',
    '0x1F',
    '0X1F',
    '0b101',
    '1_000',
    '1:20',
    '1.5',
    '.5',
    '-.5',
    '1.',
    '1e3',
    '1E-3',
    '+1.5e+3',
    '.inf',
    '-.Inf',
    '+.INF',
    '.nan',
    '.NaN',
    '.NAN',
    'inf',
    'nan',
    '2024-01-01',
    '2024-01-01T10:00:00Z',
    '10.20.66.11',
    '1.11.0',
    'v1.33.2',
    '99999999999999999999',
    '"12"',
    "'true'",
    '"a\\tb"',
    "'it''s'",
    '0.0.0.0/0',
    '=',
    '- x',
    'a #b',
    '"#c"',
    '|\n    two\n    lines\n',
    '>-\n    folded\n    text\n',
  ];
  it.each(scalars)('on the scalar %j', (scalar) => {
    const text = `key: ${scalar}\nlist: [${scalar.includes('\n') ? 'x' : scalar}, z]\n`;
    const fast = fastYamlValue(text);
    if (fast === undefined) return; // a syntax error: the Document parser reports it
    expect(fast.value).toEqual(documentValue(text));
  });

  it('on anchors, aliases, flow and block collections, comments and numeric keys', () => {
    const text = [
      'base: &b { a: 1, b: [x, y] }',
      'copy: *b',
      '1: one',
      'true: yes',
      '"quoted key": 2 # comment',
      'nested:',
      '  - name: n1',
      '    list:',
      '    - 1',
      '    - two',
      '  - {name: n2, deep: {x: [1, {y: z}]}}',
      '',
    ].join('\n');
    expect(fastYamlValue(text)?.value).toEqual(documentValue(text));
  });

  it('an empty document is null, as the Document parser gives it', () => {
    expect(fastYamlValue('')?.value).toBeNull();
    expect(documentValue('')).toBeNull();
  });
});

describe('fastYamlValue leaves to the Document parser', () => {
  it.each([
    ['a syntax error', 'a: [1, 2\nb: 3\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
  ])('%s', (_what, text) => {
    expect(fastYamlValue(text)).toBeUndefined();
  });

  // Constructs the two parsers read differently (or may): js-yaml turns a collection key into
  // "[object Object]" or "a,b" and a null key into "null"; the Document parser into "{ a: 1 }",
  // "[ a, b ]" and "".
  it.each([
    ['an explicit key', '? [a, b]\n: 1\n'],
    ['a flow collection as a key', '[a, b]: 1\n'],
    ['a flow mapping as a key', '{a: 1}: 2\n'],
    ['an alias as a key', 'x: &k {a: 1}\n*k : 2\n'],
    ['a null key', 'null: 1\n'],
    ['a tilde key', '~: 1\n'],
    ['an empty key', ': 1\n'],
    ['a null key in flow', 'm: {null: 1}\n'],
    ['a tag', 'a: !!str 12\n'],
    ['a merge key', 'a: &x {b: 1}\nc:\n  <<: *x\n'],
  ])('%s', (_what, text) => {
    expect(mayDiffer(text)).toBe(true);
    expect(fastYamlValue(text)).toBeUndefined();
  });
});
