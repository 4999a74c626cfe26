import { describe, expect, it } from 'vitest';
import { parseMultiNodeErrors } from './multi-node-errors.js';
import { probeDecision, splitJsonObjects } from './probe-decision.js';
import { isTransientTalosError } from './talos-errors.js';
import { parseTextTable } from './text-table.js';
import { parseProgressLine } from './upgrade-progress.js';
import { parseServerVersions } from './version-output.js';

describe('parseTextTable', () => {
  it('slices by header position, so multi-word headers and cells survive', () => {
    const text = [
      'NODE        MEMBER             IN USE           ERRORS',
      '10.0.0.11   8a3b0c1d2e3f4a5b   12 MB (38.71%)   ',
      '10.0.0.12   1c2d3e4f5a6b7c8d   9.8 MB (49.12%)   etcdserver: no leader',
    ].join('\n');
    const { columns, rows } = parseTextTable(text);
    expect(columns).toEqual(['NODE', 'MEMBER', 'IN USE', 'ERRORS']);
    expect(rows).toEqual([
      { NODE: '10.0.0.11', MEMBER: '8a3b0c1d2e3f4a5b', 'IN USE': '12 MB (38.71%)', ERRORS: '' },
      {
        NODE: '10.0.0.12',
        MEMBER: '1c2d3e4f5a6b7c8d',
        'IN USE': '9.8 MB (49.12%)',
        ERRORS: 'etcdserver: no leader',
      },
    ]);
  });
  it('empty output is an empty table', () => {
    expect(parseTextTable('\n')).toEqual({ columns: [], rows: [] });
  });
});

describe('parseMultiNodeErrors', () => {
  it('attributes lines to the requested node labels, longest first', () => {
    const stderr =
      'WARNING: 2 errors occurred:\n\t* 10.0.0.11: rpc error: a\n\t* 10.0.0.1: rpc error: b\n\t* something else\n\n\n';
    const r = parseMultiNodeErrors(stderr, ['10.0.0.1', '10.0.0.11']);
    expect(r.warning).toBe(true);
    expect([...r.byNode]).toEqual([
      ['10.0.0.11', 'rpc error: a'],
      ['10.0.0.1', 'rpc error: b'],
    ]);
    expect(r.unattributed).toEqual(['something else']);
  });
  it('the exit-1 form is not a warning; no list means nothing', () => {
    expect(
      parseMultiNodeErrors('error getting status: 1 error occurred:\n\t* n1: x\n', ['n1']).warning,
    ).toBe(false);
    expect(parseMultiNodeErrors('error constructing client\n', ['n1']).byNode.size).toBe(0);
  });
});

describe('probe decision table', () => {
  const maintenance =
    '{\n    "node": "a",\n    "spec": {\n        "stage": "maintenance"\n    }\n}\n';
  it.each([
    [0, maintenance, '', 'maintenance'],
    [0, '{"spec": {"stage": "running"}}', '', 'ask-mtls'],
    [
      1,
      '',
      'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: remote error: tls: certificate required"',
      'ask-mtls',
    ],
    [
      1,
      '',
      'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp a:50000: connect: connection refused"',
      'unreachable',
    ],
    [1, '', 'dial tcp a:50000: connect: no route to host', 'unreachable'],
    [1, '', 'rpc error: code = DeadlineExceeded desc = context deadline exceeded', 'unreachable'],
    [1, '', 'error constructing client: something new', 'error'],
  ])('insecure: exit %i %j %j -> %s', (exit, stdout, stderr, expected) => {
    expect(probeDecision.insecure(exit, stdout, stderr)).toBe(expected);
  });
  it.each([
    [0, '', 'configured'],
    [
      1,
      'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"',
      'x509',
    ],
    [1, 'dial tcp a:50000: i/o timeout', 'unreachable'],
    [1, 'rpc error: code = PermissionDenied desc = not authorized', 'error'],
  ])('mTLS: exit %i %j -> %s', (exit, stderr, expected) => {
    expect(probeDecision.mtls(exit, stderr)).toBe(expected);
  });
});

describe('small parsers', () => {
  it('splits concatenated JSON objects, braces inside strings included', () => {
    expect(splitJsonObjects('{"a": "}{"}\n{"b": {"c": 1}}\n')).toEqual([
      { a: '}{' },
      { b: { c: 1 } },
    ]);
  });
  it('reads server tags per node', () => {
    const out =
      'Client:\n\tTag:         v1.11.6\nServer:\n\tNODE:        n1\n\tTag:         v1.11.6\nServer:\n\tNODE:        n2\n\tTag:         v1.10.8\n';
    expect(parseServerVersions(out)).toEqual([
      { node: 'n1', tag: '1.11.6' },
      { node: 'n2', tag: '1.10.8' },
    ]);
  });
  it('parses Go-quoted progress lines', () => {
    expect(
      parseProgressLine('"10.0.0.2": stage: BOOTING ready: false unmetCond: [name:"nodeReady"]'),
    ).toEqual({
      node: '10.0.0.2',
      message: 'stage: BOOTING ready: false unmetCond: [name:"nodeReady"]',
    });
    expect(parseProgressLine('1 error occurred:')).toBeUndefined();
  });
  it.each([
    [
      'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp: connect: connection refused"',
      true,
    ],
    [
      'rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"',
      false,
    ],
    ['error validating etcd for upgrade: etcd member count(2) is insufficient', false],
  ])('transient(%j) = %s', (stderr, expected) => {
    expect(isTransientTalosError(stderr)).toBe(expected);
  });
});
