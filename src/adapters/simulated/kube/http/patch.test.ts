import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from './patch.js';

const node = {
  metadata: { name: 'w-1', labels: { a: '1' } },
  spec: { taints: [{ key: 'x', effect: 'NoSchedule' }] },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'MemoryPressure', status: 'False' },
    ],
  },
};

describe('patch formats', () => {
  const cases: { name: string; apply: () => unknown; expected: unknown }[] = [
    {
      name: 'json-patch add',
      apply: () => applyJsonPatch(node, [{ op: 'add', path: '/spec/unschedulable', value: true }]),
      expected: { ...node, spec: { ...node.spec, unschedulable: true } },
    },
    {
      name: 'json-patch add to array end',
      apply: () =>
        (
          applyJsonPatch(node, [
            { op: 'add', path: '/spec/taints/-', value: { key: 'y' } },
          ]) as typeof node
        ).spec.taints,
      expected: [{ key: 'x', effect: 'NoSchedule' }, { key: 'y' }],
    },
    {
      name: 'json-patch replace and remove',
      apply: () =>
        applyJsonPatch(node, [
          { op: 'replace', path: '/metadata/labels/a', value: '2' },
          { op: 'remove', path: '/spec/taints/0' },
        ]) as typeof node,
      expected: { ...node, metadata: { name: 'w-1', labels: { a: '2' } }, spec: { taints: [] } },
    },
    {
      name: 'json-patch escaped keys',
      apply: () =>
        applyJsonPatch({ l: {} }, [
          { op: 'add', path: '/l/node-role.kubernetes.io~1worker', value: '' },
        ]),
      expected: { l: { 'node-role.kubernetes.io/worker': '' } },
    },
    {
      name: 'merge-patch null removes',
      apply: () =>
        applyMergePatch({ spec: { unschedulable: true, x: 1 } }, { spec: { unschedulable: null } }),
      expected: { spec: { x: 1 } },
    },
    {
      name: 'merge-patch replaces lists whole',
      apply: () => (applyMergePatch(node, { spec: { taints: [] } }) as typeof node).spec,
      expected: { taints: [] },
    },
    {
      name: 'strategic merge merges conditions by type',
      apply: () =>
        (
          applyStrategicMergePatch(node, {
            status: { conditions: [{ type: 'Ready', status: 'False' }] },
          }) as typeof node
        ).status.conditions,
      expected: [
        { type: 'Ready', status: 'False' },
        { type: 'MemoryPressure', status: 'False' },
      ],
    },
    {
      name: 'strategic merge $patch delete in a list with a merge key',
      apply: () =>
        (
          applyStrategicMergePatch(node, {
            status: { conditions: [{ type: 'MemoryPressure', $patch: 'delete' }] },
          }) as typeof node
        ).status.conditions,
      expected: [{ type: 'Ready', status: 'True' }],
    },
    {
      name: 'strategic merge replaces spec.taints whole: the list is atomic (core/v1 types.go)',
      apply: () =>
        (
          applyStrategicMergePatch(node, {
            spec: { taints: [{ key: 'y', effect: 'NoSchedule' }] },
          }) as typeof node
        ).spec.taints,
      expected: [{ key: 'y', effect: 'NoSchedule' }],
    },
    {
      name: 'strategic merge replaces pod spec.tolerations whole (atomic)',
      apply: () =>
        (
          applyStrategicMergePatch(
            { spec: { tolerations: [{ key: 'a', operator: 'Exists' }] } },
            { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } },
          ) as { spec: { tolerations: unknown[] } }
        ).spec.tolerations,
      expected: [{ key: 'b', operator: 'Exists' }],
    },
    {
      name: 'strategic merge ignores ordering directives',
      apply: () =>
        applyStrategicMergePatch(
          { spec: {} },
          { spec: { unschedulable: true }, '$setElementOrder/taints': [] },
        ),
      expected: { spec: { unschedulable: true } },
    },
  ];
  for (const c of cases) it(c.name, () => expect(c.apply()).toEqual(c.expected));

  it('rejects an object as a JSON patch (400) and failing operations (422)', () => {
    expect(() => applyJsonPatch(node, { spec: {} })).toThrow(
      expect.objectContaining({ code: 400 }) as unknown as Error,
    );
    for (const ops of [
      [{ op: 'remove', path: '/spec/nothing' }],
      [{ op: 'test', path: '/metadata/name', value: 'w-2' }],
      [{ op: 'replace', path: '/nope/x', value: 1 }],
    ]) {
      const error = (() => {
        try {
          applyJsonPatch(node, ops);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(PatchError);
      expect((error as PatchError).code).toBe(422);
    }
    expect(node.spec.taints).toHaveLength(1); // inputs untouched
  });
});
