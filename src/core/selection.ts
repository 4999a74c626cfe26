/**
 * Node selection and canaries: which part of a built plan one run carries out. Pure: it cuts a
 * plan the builders made for the whole inventory, so every kept step is exactly the step the
 * full run would take (same id, same gates: the Ceph check of a worker stays when the selected
 * nodes carry no OSD but others do), and the journal and resume work unchanged.
 *
 * - `nodes`, `role`, `phases` intersect; `limit` then keeps the first N of them in plan order
 *   (control plane first). Deterministic from the config, so `--resume` of a selected run
 *   rebuilds the same plan; nodes already at the target are re-checked live and skipped by the
 *   engine, never upgraded twice.
 * - `canary` N: the first N selected workers; afterwards the post checks and the custom gates
 *   run once more over the whole cluster, then the run stops (exit 0).
 * - Cattle: the templates the kept nodes are cloned from stay in the plan (a rebuild is skipped
 *   when the template is already built): a VM must never be recreated from the old template.
 * - The final validation of a selected run checks every node present, Ready and schedulable
 *   but only the kept ones at the target: the cluster is left at mixed versions on purpose.
 * - Kubernetes: `talosctl upgrade-k8s` upgrades the control plane components and every kubelet
 *   in one operation, so no flag of the selection means anything there: refused (exit 2).
 */
import { DroverError } from './errors.js';
import { NODE_ROLES } from './inventory.js';
import type { Inventory, NodeRole } from './inventory.js';
import type { NodeUnit, Plan, PlanPhase, PlanStep } from './plan.js';
import { clusterStep, postChecks } from './plan-common.js';

export const SELECTABLE_PHASES = ['templates', 'controlplane', 'workers'] as const;
export type SelectablePhase = (typeof SELECTABLE_PHASES)[number];

/** What the operator asked for (`--nodes`, `--role`, `--limit`, `--phase`, `--canary`). */
export interface Selection {
  nodes?: string[];
  role?: NodeRole;
  limit?: number;
  phases?: SelectablePhase[];
  canary?: number;
}

/** Recorded on a selected plan: what it keeps and what it leaves alone. */
export interface PlanSelection {
  requested: Selection;
  /** Nodes whose cycle the plan keeps, in plan order. */
  nodes: string[];
  /** Nodes of the inventory this run does not touch. */
  leftAlone: string[];
  /** Template addresses the plan rebuilds (cattle). */
  templates: string[];
  canary: boolean;
}

const PHASE_OF_UNITS: Record<string, SelectablePhase> = {
  'control-plane': 'controlplane',
  workers: 'workers',
};

export function hasSelection(s: Selection): boolean {
  return (
    (s.nodes?.length ?? 0) > 0 ||
    s.role !== undefined ||
    s.limit !== undefined ||
    (s.phases?.length ?? 0) > 0 ||
    s.canary !== undefined
  );
}

/** The flags as the operator typed them, for messages and notes. */
export function selectionFlags(s: Selection): string {
  return selectionArgs(s).join(' ');
}

/** The same as an argv array (`drover upgrade ... ${args}`): what the Action hands a workflow. */
export function selectionArgs(s: Selection): string[] {
  return [
    ...(s.nodes?.length ? [`--nodes ${s.nodes.join(',')}`] : []),
    ...(s.role ? [`--role ${s.role}`] : []),
    ...(s.phases?.length ? [`--phase ${s.phases.join(',')}`] : []),
    ...(s.limit !== undefined ? [`--limit ${s.limit}`] : []),
    ...(s.canary !== undefined ? [`--canary ${s.canary}`] : []),
  ].flatMap((flag) => flag.split(' '));
}

function usage(code: string, message: string, hint: string, details?: Record<string, unknown>) {
  return new DroverError('usage', code, message, { hint, ...(details ? { details } : {}) });
}

function checkSelection(plan: Plan, inventory: Inventory, s: Selection): void {
  if (plan.kind === 'kubernetes') {
    throw usage(
      'SELECTION_NOT_FOR_KIND',
      `${selectionFlags(s)}: a Kubernetes upgrade cannot be limited to nodes, roles or phases`,
      'talosctl upgrade-k8s upgrades the control plane components and every kubelet in one operation; run it without --nodes, --role, --limit, --phase and --canary.',
    );
  }
  if (plan.kind === 'pets' && s.phases?.includes('templates')) {
    throw usage(
      'SELECTION_NOT_FOR_KIND',
      '--phase templates: a pets upgrade has no templates (it upgrades in place)',
      'Use --phase controlplane or --phase workers, or plan a cattle upgrade to rebuild templates.',
    );
  }
  for (const [flag, n] of [
    ['--limit', s.limit],
    ['--canary', s.canary],
  ] as const) {
    if (n !== undefined && (!Number.isInteger(n) || n < 1))
      throw usage(
        'SELECTION_INVALID',
        `${flag} ${n}: must be a whole number of at least 1`,
        `Example: ${flag} 2`,
      );
  }
  if (s.role !== undefined && !(NODE_ROLES as readonly string[]).includes(s.role))
    throw usage(
      'SELECTION_INVALID',
      `--role ${s.role}: not one of ${NODE_ROLES.join(', ')}`,
      'Example: --role worker',
    );
  for (const p of s.phases ?? [])
    if (!(SELECTABLE_PHASES as readonly string[]).includes(p))
      throw usage(
        'SELECTION_INVALID',
        `--phase ${p}: not one of ${SELECTABLE_PHASES.join(', ')}`,
        'Example: --phase workers',
      );
  if (s.canary !== undefined) {
    const clash = [
      ...(s.limit !== undefined ? ['--limit'] : []),
      ...(s.role === 'controlplane' ? ['--role controlplane'] : []),
      ...((s.phases ?? []).some((p) => p !== 'workers') ? ['--phase'] : []),
    ];
    if (clash.length > 0)
      throw usage(
        'SELECTION_CONFLICT',
        `--canary upgrades workers only and cannot be combined with ${clash.join(', ')}`,
        'Example: --canary 2 (the first two workers), or --canary 1 --nodes k8s-work-4 to choose it.',
      );
  }
  const known = new Set(inventory.nodes.map((n) => n.name));
  const unknown = (s.nodes ?? []).filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new DroverError(
      'input',
      'SELECTION_UNKNOWN_NODES',
      `--nodes: not in the config: ${unknown.join(', ')}`,
      {
        hint: `Name nodes of the config's nodes list (${[...known].slice(0, 6).join(', ')}${known.size > 6 ? ', ...' : ''}).`,
        details: { unknown },
      },
    );
  }
}

function keepUnit(unit: NodeUnit, phase: PlanPhase, inventory: Inventory, s: Selection): boolean {
  const node = inventory.nodes.find((n) => n.name === unit.node);
  if (s.nodes?.length && !s.nodes.includes(unit.node)) return false;
  if (s.role !== undefined && node?.role !== s.role) return false;
  const phaseName = PHASE_OF_UNITS[phase.id];
  if (s.phases?.length && (phaseName === undefined || !s.phases.includes(phaseName))) return false;
  if (s.canary !== undefined && node?.role !== 'worker') return false;
  return true;
}

/** The first `limit` units over the unit phases, in plan order. */
function chosenUnits(plan: Plan, inventory: Inventory, s: Selection): Set<string> {
  const limit = s.canary ?? s.limit ?? Number.POSITIVE_INFINITY;
  const chosen = new Set<string>();
  for (const phase of plan.phases)
    for (const unit of phase.units)
      if (chosen.size < limit && keepUnit(unit, phase, inventory, s)) chosen.add(unit.node);
  return chosen;
}

/** Template addresses the given nodes are cloned from. */
function templatesOf(inventory: Inventory, nodes: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const name of nodes) {
    const node = inventory.nodes.find((n) => n.name === name);
    const spec = node === undefined ? undefined : inventory.templates[node.template];
    if (spec) out.add(spec.address);
  }
  return out;
}

function cutTemplates(phase: PlanPhase, keep: Set<string>): PlanPhase | undefined {
  const rebuilds = phase.steps.filter(
    (s) => s.action === 'rebuild-template' && keep.has(String(s.params.address)),
  );
  if (rebuilds.length === 0) return undefined;
  const verify = phase.steps.find((s) => s.action === 'verify-templates');
  const addresses = rebuilds.map((s) => String(s.params.address));
  const steps: PlanStep[] = [...rebuilds];
  if (verify !== undefined)
    steps.push({
      ...verify,
      params: { ...verify.params, addresses },
      title: `Verify the ${addresses.length} rebuilt template(s) are at Talos ${String(verify.params.version)}`,
    });
  return { ...phase, steps };
}

function cutValidation(
  phase: PlanPhase,
  plan: Plan,
  inventory: Inventory,
  chosen: Set<string>,
  canary: boolean,
): PlanPhase {
  const steps = phase.steps.map((step): PlanStep => {
    if (step.action !== 'validate-cluster') return step;
    const targetNodes = [...chosen];
    const all = inventory.nodes.length;
    return {
      ...step,
      params: { ...step.params, targetNodes },
      title: `Every one of ${all} nodes present, Ready, schedulable; the ${targetNodes.length} selected at Talos ${plan.to} (others may stay behind: mixed versions)`,
    };
  });
  if (!canary) return { ...phase, steps };
  // The canary's verdict: the post checks and the custom gates over the whole cluster, once the
  // canary nodes are back and every unit is finished.
  const customs = [
    ...new Set(
      plan.phases
        .flatMap((p) => p.units.flatMap((u) => u.steps))
        .filter((s) => s.action === 'gate-health')
        .flatMap((s) => (Array.isArray(s.params.checks) ? s.params.checks : []))
        .filter((c) => c.startsWith('custom:')),
    ),
  ];
  const checks = ['coredns', ...postChecks(inventory), ...customs];
  const verdict = clusterStep(
    'post-checks',
    `Canary verdict: ${checks.join(', ')} pass with the canary nodes back`,
    {
      checks,
    },
  );
  return { ...phase, steps: [verdict, ...steps] };
}

/** The part of `plan` the selection asks for; the plan itself when nothing is selected. */
export function selectPlan(plan: Plan, inventory: Inventory, selection: Selection): Plan {
  if (!hasSelection(selection)) return plan;
  checkSelection(plan, inventory, selection);
  const chosen = chosenUnits(plan, inventory, selection);
  const templatesAsked = selection.phases?.includes('templates') === true;
  if (chosen.size === 0 && !templatesAsked) {
    throw usage(
      'SELECTION_EMPTY',
      `${selectionFlags(selection)}: selects no node of this ${plan.kind} plan`,
      'Check the flags against each other (e.g. --role controlplane with --phase workers selects nothing).',
    );
  }
  // Templates: those of the nodes the flags name (all in use when none is named) when
  // --phase templates asks for them; else only those the kept nodes need.
  const named =
    selection.nodes?.length || selection.role
      ? inventory.nodes
          .filter((n) => !selection.nodes?.length || selection.nodes.includes(n.name))
          .filter((n) => selection.role === undefined || n.role === selection.role)
          .map((n) => n.name)
      : inventory.nodes.map((n) => n.name);
  const templates = templatesOf(inventory, templatesAsked ? [...named, ...chosen] : chosen);
  const phases: PlanPhase[] = [];
  for (const phase of plan.phases) {
    if (phase.id === 'templates') {
      const cut = cutTemplates(phase, templates);
      if (cut) phases.push(cut);
    } else if (phase.id === 'validation') {
      phases.push(cutValidation(phase, plan, inventory, chosen, selection.canary !== undefined));
    } else {
      const units = phase.units.filter((u) => chosen.has(u.node));
      if (units.length > 0) phases.push({ ...phase, units });
    }
  }
  const kept = [...chosen];
  return {
    ...plan,
    phases,
    selection: {
      requested: selection,
      nodes: kept,
      leftAlone: inventory.nodes.map((n) => n.name).filter((n) => !chosen.has(n)),
      templates: phases
        .filter((p) => p.id === 'templates')
        .flatMap((p) => p.steps.filter((s) => s.action === 'rebuild-template'))
        .map((s) => String(s.params.address)),
      canary: selection.canary !== undefined,
    },
  };
}

/**
 * What a selected run leaves and what a full run does next: the report's notes. A canary that
 * succeeded says so and names the command that finishes the upgrade.
 */
export function selectionNotes(plan: Plan, succeeded: boolean): string[] {
  const sel = plan.selection;
  if (sel === undefined) return [];
  const list = (names: string[]) => (names.length === 0 ? 'none' : names.join(', '));
  const kept = list(sel.nodes);
  const rest = sel.leftAlone.length;
  const next = `Next: the same command without ${selectionFlags(sel.requested)} re-checks ${kept} (already at Talos ${plan.to}: skipped, never ${plan.kind === 'cattle' ? 'replaced' : 'upgraded'} again) and upgrades the ${rest} other node(s) not yet at the target${plan.kind === 'cattle' ? ', rebuilding the templates not yet built first' : ''}.`;
  if (sel.canary) {
    const verdict = plan.phases.flatMap((p) => p.steps).find((s) => s.id === 'cluster/post-checks')
      ?.params.checks;
    const checks = Array.isArray(verdict) ? verdict.join(', ') : 'post checks';
    return succeeded
      ? [
          `Canary passed: ${kept} upgraded to Talos ${plan.to}; then ${checks} passed over the whole cluster; ${rest} node(s) left alone. ${next}`,
        ]
      : [
          `Canary of ${kept} did not pass: fix the cause and run the canary again with --resume before the full run.`,
        ];
  }
  const what =
    sel.nodes.length > 0 ? `upgrades ${kept}` : `rebuilds templates only (${list(sel.templates)})`;
  return [
    `Selected run (${selectionFlags(sel.requested)}): ${what}; left alone: ${list(sel.leftAlone)}.${succeeded ? ` ${next}` : ''}`,
  ];
}

/** The line `drover plan` and the dry run print under the header of a selected plan. */
export function selectionSummary(plan: Plan): string | undefined {
  const sel = plan.selection;
  if (sel === undefined) return undefined;
  const nodes = sel.nodes.length === 0 ? 'no node' : sel.nodes.join(', ');
  const left = sel.leftAlone.length === 0 ? 'none' : sel.leftAlone.join(', ');
  const mixed =
    sel.nodes.length > 0 && sel.leftAlone.length > 0 ? ' (the cluster ends at mixed versions)' : '';
  return `selected (${selectionFlags(sel.requested)}): ${nodes}${sel.canary ? ', then the post checks and custom gates' : ''}; left alone: ${left}${mixed}`;
}
