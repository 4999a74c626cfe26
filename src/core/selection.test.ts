import { describe, expect, it } from 'vitest';
import { referenceInventory } from '../../test/fixtures/reference-inventory.js';
import { DroverError } from './errors.js';
import { allSteps } from './plan.js';
import type { Plan, UpgradeKind } from './plan.js';
import { buildPlan } from './plan-build.js';
import { DEFAULT_POLICY } from './policy.js';
import { selectPlan, selectionNotes } from './selection.js';
import type { Selection } from './selection.js';
import { findStep } from './plan-step.js';

const inventory = referenceInventory();

function plan(kind: UpgradeKind): Plan {
  return buildPlan(kind, {
    inventory,
    policy: DEFAULT_POLICY,
    from: '1.10.8',
    to: kind === 'pets' ? '1.10.9' : kind === 'kubernetes' ? '1.10.8' : '1.11.0',
    kubernetes: { from: '1.33.5', to: kind === 'kubernetes' ? '1.34.0' : '1.33.5' },
    customChecks: ['rook-ok'],
  });
}

const units = (p: Plan) => p.phases.flatMap((ph) => ph.units.map((u) => u.node));
const phases = (p: Plan) => p.phases.map((ph) => ph.id);
const templates = (p: Plan) =>
  allSteps(p)
    .filter((s) => s.action === 'rebuild-template')
    .map((s) => String(s.params.address));
const validation = (p: Plan) => allSteps(p).find((s) => s.action === 'validate-cluster')!;

const CP = ['k8s-ctrl-1', 'k8s-ctrl-2', 'k8s-ctrl-3'];
const WORKERS = Array.from({ length: 12 }, (_, i) => `k8s-work-${i + 1}`);

describe('selectPlan: which units, phases and templates a selection keeps', () => {
  const cases: {
    name: string;
    kind: UpgradeKind;
    selection: Selection;
    units: string[];
    phases: string[];
    templates?: string[];
  }[] = [
    {
      name: 'no selection: the plan itself',
      kind: 'cattle',
      selection: {},
      units: [...CP, ...WORKERS],
      phases: ['templates', 'control-plane', 'workers', 'validation'],
    },
    {
      name: '--nodes: those nodes, in plan order, and only their templates',
      kind: 'cattle',
      selection: { nodes: ['k8s-work-4', 'k8s-ctrl-2'] },
      units: ['k8s-ctrl-2', 'k8s-work-4'],
      phases: ['templates', 'control-plane', 'workers', 'validation'],
      templates: ['module.template_heimdall_base', 'module.template_heimdall_gpu'],
    },
    {
      name: '--role controlplane: workers left alone',
      kind: 'cattle',
      selection: { role: 'controlplane' },
      units: CP,
      phases: ['templates', 'control-plane', 'validation'],
      templates: [
        'module.template_baldar_base',
        'module.template_heimdall_base',
        'module.template_odin_base',
      ],
    },
    {
      name: '--role worker --limit 2: the first two workers',
      kind: 'pets',
      selection: { role: 'worker', limit: 2 },
      units: ['k8s-work-1', 'k8s-work-2'],
      phases: ['workers', 'validation'],
    },
    {
      name: '--limit 4: control plane first',
      kind: 'pets',
      selection: { limit: 4 },
      units: [...CP, 'k8s-work-1'],
      phases: ['control-plane', 'workers', 'validation'],
    },
    {
      name: '--phase templates: templates only, every one in use',
      kind: 'cattle',
      selection: { phases: ['templates'] },
      units: [],
      phases: ['templates', 'validation'],
      templates: templates(plan('cattle')),
    },
    {
      name: '--phase workers (control plane skipped): the workers and their templates',
      kind: 'cattle',
      selection: { phases: ['workers'] },
      units: WORKERS,
      phases: ['templates', 'workers', 'validation'],
      // The workers use every template in use (all four hosts, both GPU flavours).
      templates: templates(plan('cattle')),
    },
    {
      name: '--phase controlplane,workers with --nodes',
      kind: 'pets',
      selection: { phases: ['controlplane', 'workers'], nodes: ['k8s-work-9', 'k8s-ctrl-1'] },
      units: ['k8s-ctrl-1', 'k8s-work-9'],
      phases: ['control-plane', 'workers', 'validation'],
    },
    {
      name: '--canary 2: the first two workers, nothing of the control plane',
      kind: 'cattle',
      selection: { canary: 2 },
      units: ['k8s-work-1', 'k8s-work-2'],
      phases: ['templates', 'workers', 'validation'],
      templates: ['module.template_baldar_base'],
    },
    {
      name: '--canary 1 --nodes: the named worker',
      kind: 'pets',
      selection: { canary: 1, nodes: ['k8s-ctrl-1', 'k8s-work-10'] },
      units: ['k8s-work-10'],
      phases: ['workers', 'validation'],
    },
  ];
  it.each(cases)('$name', (c) => {
    const full = plan(c.kind);
    const selected = selectPlan(full, inventory, c.selection);
    expect(units(selected)).toEqual(c.units);
    expect(phases(selected)).toEqual(c.phases);
    if (c.templates !== undefined) expect(templates(selected)).toEqual(c.templates);
    // Every kept step is the full plan's own step (same id and params), so the journal and the
    // gates are those of the full run; only the validation is narrowed.
    const fullById = new Map(allSteps(full).map((s) => [s.id, s]));
    for (const step of allSteps(selected)) {
      if (
        ['validate-cluster', 'verify-templates', 'post-checks'].includes(step.action) &&
        !step.node
      )
        continue;
      expect(step).toEqual(fullById.get(step.id));
    }
  });

  it('a worker keeps the Ceph gate and the custom gates of the full plan', () => {
    const selected = selectPlan(plan('cattle'), inventory, { nodes: ['k8s-work-1'] });
    const gate = findStep(allSteps(selected), 'k8s-work-1/gate-health')!;
    expect(gate.params.checks).toEqual(['coredns', 'ceph', 'custom:rook-ok']);
  });

  it('the selected validation checks every node present but only the kept ones at the target', () => {
    const selected = selectPlan(plan('cattle'), inventory, { role: 'controlplane' });
    const step = validation(selected);
    expect(step.params.expectedNodes).toEqual([...CP, ...WORKERS]);
    expect(step.params.targetNodes).toEqual(CP);
    expect(selected.selection).toMatchObject({ nodes: CP, leftAlone: WORKERS, canary: false });
    // Unselected: untouched, no targetNodes (every node must be at the target).
    expect(validation(plan('cattle')).params.targetNodes).toBeUndefined();
    expect(plan('cattle').selection).toBeUndefined();
  });

  it('a canary ends with the post checks and the custom gates over the whole cluster', () => {
    const selected = selectPlan(plan('pets'), inventory, { canary: 2 });
    const last = selected.phases.at(-1)!;
    expect(last.steps.map((s) => s.id)).toEqual([
      'cluster/post-checks',
      'cluster/validate-cluster',
    ]);
    expect(findStep(last.steps, 'cluster/post-checks')!.params.checks).toEqual([
      'coredns',
      'deployments',
      'ceph',
      'custom:rook-ok',
    ]);
    expect(selected.selection?.canary).toBe(true);
  });

  it('a kept template set narrows verify-templates to it', () => {
    const selected = selectPlan(plan('cattle'), inventory, { canary: 2 });
    const verify = allSteps(selected).find((s) => s.action === 'verify-templates')!;
    expect(verify.params.addresses).toEqual(['module.template_baldar_base']);
  });
});

describe('selectPlan with what the caller read live (context)', () => {
  const workers = (p: Plan) => units(p).filter((n) => n.startsWith('k8s-work-'));
  it('--limit and --canary pass over the nodes already at the target: the next ones', () => {
    const atTarget = ['k8s-work-1', 'k8s-work-2'];
    expect(units(selectPlan(plan('pets'), inventory, { canary: 2 }, { atTarget }))).toEqual([
      'k8s-work-3',
      'k8s-work-4',
    ]);
    expect(
      units(selectPlan(plan('cattle'), inventory, { role: 'worker', limit: 3 }, { atTarget })),
    ).toEqual(['k8s-work-3', 'k8s-work-4', 'k8s-work-5']);
    // --nodes without a limit keeps every named node: the engine skips those at the target.
    expect(
      units(
        selectPlan(plan('pets'), inventory, { nodes: ['k8s-work-2', 'k8s-work-7'] }, { atTarget }),
      ),
    ).toEqual(['k8s-work-2', 'k8s-work-7']);
  });
  it('every candidate at the target: the first ones again (re-checked, skipped: nothing to do)', () => {
    expect(
      workers(selectPlan(plan('pets'), inventory, { canary: 2 }, { atTarget: WORKERS })),
    ).toEqual(['k8s-work-1', 'k8s-work-2']);
  });
  it('a resumed run keeps its pinned nodes, whatever is at the target now: the same plan', () => {
    const first = selectPlan(
      plan('cattle'),
      inventory,
      { role: 'worker', limit: 3 },
      { atTarget: ['k8s-work-1'] },
    );
    const resumed = selectPlan(
      plan('cattle'),
      inventory,
      { role: 'worker', limit: 3 },
      { atTarget: ['k8s-work-1', 'k8s-work-2', 'k8s-work-3'], pinned: first.selection!.nodes },
    );
    expect(resumed).toEqual(first);
  });
});

describe('selectPlan refuses what makes no sense (exit 2)', () => {
  const refusals: {
    name: string;
    kind: UpgradeKind;
    selection: Selection;
    code: string;
    text: RegExp;
  }[] = [
    {
      name: 'unknown nodes, named',
      kind: 'cattle',
      selection: { nodes: ['k8s-work-1', 'nope', 'k8s-work-99'] },
      code: 'SELECTION_UNKNOWN_NODES',
      text: /nope, k8s-work-99/,
    },
    {
      name: 'kubernetes and --nodes',
      kind: 'kubernetes',
      selection: { nodes: ['k8s-work-1'] },
      code: 'SELECTION_NOT_FOR_KIND',
      text: /upgrade-k8s/,
    },
    {
      name: 'kubernetes and --canary',
      kind: 'kubernetes',
      selection: { canary: 2 },
      code: 'SELECTION_NOT_FOR_KIND',
      text: /Kubernetes upgrade/,
    },
    {
      name: 'kubernetes and --phase',
      kind: 'kubernetes',
      selection: { phases: ['workers'] },
      code: 'SELECTION_NOT_FOR_KIND',
      text: /--phase workers/,
    },
    {
      name: 'pets has no templates',
      kind: 'pets',
      selection: { phases: ['templates'] },
      code: 'SELECTION_NOT_FOR_KIND',
      text: /no templates/,
    },
    {
      name: 'nothing selected',
      kind: 'cattle',
      selection: { role: 'controlplane', phases: ['workers'] },
      code: 'SELECTION_EMPTY',
      text: /selects no node/,
    },
    {
      name: 'canary and --role controlplane',
      kind: 'cattle',
      selection: { canary: 1, role: 'controlplane' },
      code: 'SELECTION_CONFLICT',
      text: /workers only/,
    },
    {
      name: 'canary and --limit',
      kind: 'pets',
      selection: { canary: 1, limit: 2 },
      code: 'SELECTION_CONFLICT',
      text: /--limit/,
    },
    {
      name: 'limit 0',
      kind: 'pets',
      selection: { limit: 0 },
      code: 'SELECTION_INVALID',
      text: /at least 1/,
    },
  ];
  it.each(refusals)('$name', (c) => {
    let error: unknown;
    try {
      selectPlan(plan(c.kind), inventory, c.selection);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DroverError);
    const e = error as DroverError;
    expect(e.code).toBe(c.code);
    expect(['usage', 'input']).toContain(e.category);
    expect(`${e.message} ${e.hint ?? ''}`).toMatch(c.text);
    expect(e.hint).toBeTruthy();
  });
});

describe('selectionNotes: what a selected run leaves and what comes next', () => {
  it('a passed canary names its nodes and what the full run will do', () => {
    const selected = selectPlan(plan('cattle'), inventory, { canary: 2 });
    const [note] = selectionNotes(selected, true);
    expect(note).toMatch(
      /^Canary passed: k8s-work-1, k8s-work-2 upgraded to Talos 1\.11\.0; then coredns, deployments, ceph, custom:rook-ok passed/,
    );
    expect(note).toMatch(/without --canary 2 re-checks k8s-work-1, k8s-work-2/);
    expect(note).toMatch(
      /never replaced again\) as it does every node already there, and upgrades those of the 13 node\(s\) this run left alone that are not/,
    );
  });
  it('a limit says a second run takes the next ones', () => {
    const selected = selectPlan(plan('pets'), inventory, { role: 'worker', limit: 3 });
    expect(selectionNotes(selected, true)[0]).toMatch(
      /Or run the same command again: it takes the next 3 not yet at the target\.$/,
    );
  });
  it('a failed canary says to resume it first', () => {
    const selected = selectPlan(plan('pets'), inventory, { canary: 2 });
    expect(selectionNotes(selected, false)[0]).toMatch(/did not pass/);
  });
  it('no selection, no note', () => {
    expect(selectionNotes(plan('pets'), true)).toEqual([]);
  });
});
