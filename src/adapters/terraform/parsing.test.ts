import { describe, expect, it } from 'vitest';
import { JsonLineSplitter, parseJsonStream } from './json-stream.js';
import { planChanges, stateResources } from './show-json.js';
import { findLockDiagnostic, parseLockInfo, stateLockedError } from './state-lock.js';
import { templateVersionOf } from './template-version.js';

describe('planChanges', () => {
  it('keeps real changes, drops no-ops, keeps replace order', () => {
    expect(
      planChanges({
        resource_changes: [
          { address: 'a.x', change: { actions: ['no-op'] } },
          { address: 'a.y', change: { actions: ['delete', 'create'] } },
          { address: 'a.z', change: { actions: ['create', 'delete'] } },
          { address: 'data.d.r', change: { actions: ['read'] } },
        ],
      }),
    ).toEqual([
      { address: 'a.y', actions: ['delete', 'create'] },
      { address: 'a.z', actions: ['create', 'delete'] },
      { address: 'data.d.r', actions: ['read'] },
    ]);
  });

  it('reads forget and create,forget (removed blocks; hashicorp/terraform v1.11 jsonplan/plan.go)', () => {
    expect(
      planChanges({
        resource_changes: [
          { address: 'a.x', change: { actions: ['forget'] } },
          { address: 'a.y', change: { actions: ['create', 'forget'] } },
        ],
      }),
    ).toEqual([
      { address: 'a.x', actions: ['forget'] },
      { address: 'a.y', actions: ['create', 'forget'] },
    ]);
  });

  it('an empty plan has no changes', () => {
    expect(planChanges({ format_version: '1.2' })).toEqual([]);
  });

  it.each([
    [
      { resource_changes: [{ address: 'a', change: { actions: ['import'] } }] },
      'TF_PLAN_UNKNOWN_ACTION',
    ],
    [{ resource_changes: [{ change: { actions: ['create'] } }] }, 'TF_JSON_INVALID'],
    [{ resource_changes: [{ address: 'a' }] }, 'TF_JSON_INVALID'],
    [{ resource_changes: {} }, 'TF_JSON_INVALID'],
  ])('refuses what it cannot read: %j', (doc, code) => {
    expect(() => planChanges(doc)).toThrow(expect.objectContaining({ code }));
  });
});

describe('stateResources', () => {
  it('walks nested child modules', () => {
    const doc = {
      values: {
        root_module: {
          resources: [
            {
              address: 'terraform_data.root',
              mode: 'managed',
              type: 'terraform_data',
              values: { id: '1' },
            },
          ],
          child_modules: [
            {
              address: 'module.a',
              resources: [{ address: 'module.a.data.x.y', mode: 'data', type: 'x', values: {} }],
              child_modules: [
                {
                  address: 'module.a.module.b',
                  resources: [{ address: 'module.a.module.b.t.r', mode: 'managed', type: 't' }],
                },
              ],
            },
          ],
        },
      },
    };
    expect(stateResources(doc).map((r) => [r.address, r.mode])).toEqual([
      ['terraform_data.root', 'managed'],
      ['module.a.data.x.y', 'data'],
      ['module.a.module.b.t.r', 'managed'],
    ]);
  });
  it('an empty state has no resources', () => {
    expect(stateResources({ format_version: '1.0' })).toEqual([]);
  });
});

describe('templateVersionOf', () => {
  const r = (values: Record<string, unknown>, mode: 'managed' | 'data' = 'managed') => ({
    address: 'module.t.x.y',
    mode,
    type: 'x',
    values,
  });
  it.each([
    [[r({ talos_version: 'v1.11.0' })], '1.11.0'],
    [[r({ input: { talos_version: '1.10.8' } })], '1.10.8'],
    [[r({ triggers_replace: { talos_version: '1.11.0-beta.1' } })], '1.11.0-beta.1'],
    [[r({ tags: ['k8s', 'talos-v1.10.8'] })], '1.10.8'],
    [[r({ name: 'talos-1.11.2-baldar-gpu' })], '1.11.2'],
    [[r({ description: 'Template talos v1.9.5 (nocloud)' })], '1.9.5'],
    [[r({ name: 'talos-baldar-base', input: { talos_version: '1.11.0' } })], '1.11.0'],
    [[r({ talos_version: '1.11.0' }, 'data')], undefined],
    [[r({ name: 'ubuntu-template' })], undefined],
  ])('%j -> %s', (resources, expected) => {
    expect(templateVersionOf(resources)).toBe(expected);
  });
});

describe('JSON UI stream', () => {
  const lock = JSON.stringify({
    '@level': 'error',
    '@message': 'Error: Error acquiring the state lock',
    type: 'diagnostic',
    diagnostic: {
      severity: 'error',
      summary: 'Error acquiring the state lock',
      detail:
        'Error message: resource temporarily unavailable\nLock Info:\n  ID:        408201bd-447a-1bb3-35ac-aac9dcae2913\n  Path:      terraform.tfstate\n  Operation: OperationTypeApply\n  Who:       runner@ci\n  Version:   1.11.4\n  Created:   2026-11-26 07:17:14 +0000 UTC\n  Info:      \n',
    },
  });

  it('splits chunks into lines across chunk borders', () => {
    const lines: string[] = [];
    const s = new JsonLineSplitter((l) => lines.push(l));
    s.push('{"a":');
    s.push('1}\n{"b"');
    s.push(':2}\n\n{"c":3}');
    s.end();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('collects diagnostics and progress, ignoring noise', () => {
    const apply = JSON.stringify({
      '@message': 'module.a.x.y: Creation complete',
      type: 'apply_complete',
      hook: { resource: { addr: 'module.a.x.y' } },
    });
    const parsed = parseJsonStream(
      ['{"type":"version","@message":"Terraform 1.11.4"}', 'not json', apply, lock].join('\n'),
    );
    expect(parsed.events).toEqual([
      {
        type: 'apply_complete',
        message: 'module.a.x.y: Creation complete',
        address: 'module.a.x.y',
      },
    ]);
    expect(parsed.diagnostics).toHaveLength(1);
  });

  it('recognises the state lock and quotes its holder', () => {
    const { diagnostics } = parseJsonStream(lock);
    const d = findLockDiagnostic(diagnostics)!;
    expect(parseLockInfo(d.detail)).toEqual({
      id: '408201bd-447a-1bb3-35ac-aac9dcae2913',
      who: 'runner@ci',
      operation: 'OperationTypeApply',
      created: '2026-11-26 07:17:14 +0000 UTC',
      path: 'terraform.tfstate',
    });
    const error = stateLockedError(d, '5m');
    expect(error.code).toBe('TF_STATE_LOCKED');
    expect(error.message).toBe(
      'the Terraform state is locked (lock ID 408201bd-447a-1bb3-35ac-aac9dcae2913) held by runner@ci for OperationTypeApply since 2026-11-26 07:17:14 +0000 UTC; waited 5m',
    );
    expect(error.hint).toContain('terraform force-unlock 408201bd-447a-1bb3-35ac-aac9dcae2913');
  });

  it('an S3 AccessDenied without Lock Info is a failure, not a held lock to wait out', () => {
    // hashicorp/terraform v1.11.4 internal/command/clistate/state.go: the same summary, but the
    // Lock Info block only when the backend returned a LockError with Info.
    const denied = JSON.stringify({
      '@level': 'error',
      type: 'diagnostic',
      diagnostic: {
        severity: 'error',
        summary: 'Error acquiring the state lock',
        detail:
          'Error message: operation error S3: PutObject, https response error StatusCode: 403, RequestID: 1, api error AccessDenied: Access Denied\n\nTerraform acquires a state lock to protect the state from being written\nby multiple users at the same time. Please resolve the issue above and try\nagain. For most commands, you can disable locking with the "-lock=false"\nflag, but this is not recommended.',
      },
    });
    const d = findLockDiagnostic(parseJsonStream(denied).diagnostics)!;
    const error = stateLockedError(d, '5m');
    expect(error.code).toBe('TF_STATE_LOCK_ERROR');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('AccessDenied');
    const held = stateLockedError(findLockDiagnostic(parseJsonStream(lock).diagnostics)!, '5m');
    expect(held.retryable).toBe(true);
  });
});
