/**
 * Node selection and canaries: which part of a built plan one run carries out. Pure: it cuts a
 * plan the builders made for the whole inventory, so every kept step is exactly the step the
 * full run would take (same id, same gates: the Ceph check of a worker stays when the selected
 * nodes carry no OSD but others do), and the journal and resume work unchanged.
 *
 * - `nodes`, `role`, `phases` intersect; `limit` then keeps the first N of them in plan order
 *   (control plane first), passing over the nodes the caller read at the target (context), so
 *   a second `--limit 3` takes the next three. A resumed run keeps the nodes it started with
 *   (pinned, from its journal), so its plan and the journal's binding are unchanged. Without a
 *   context (`drover plan`) it is the first N. Nodes at the target that a plan keeps are
 *   re-checked live and skipped by the engine, never upgraded twice.
 * - `canary` N: the first N selected workers; afterwards the post checks and the custom gates
 *   run once more over the whole cluster, then the run stops (exit 0).
 * - Cattle: the templates the kept nodes are cloned from stay in the plan (a rebuild is skipped
 *   when the template is already built): a VM must never be recreated from the old template.
 * - The final validation of a selected run checks every node present, Ready and schedulable
 *   but only the kept ones at the target: the cluster is left at mixed versions on purpose.
 * - Kubernetes: `talosctl upgrade-k8s` upgrades the control plane components and every kubelet
 *   in one operation, so no flag of the selection means anything there: refused (exit 2).
 */
import type { Inventory } from './inventory.js';
import type { NodeUnit, Plan, PlanPhase, PlanStep } from './plan.js';
import { clusterStep } from './plan-common.js';
import { postChecks } from './plan-node-cycle.js';
import { checkPlan } from './plan-check.js';
import { checkSelection, usage } from './selection-check.js';
import { hasSelection, selectionFlags } from './selection-flags.js';
import type { SelectablePhase, Selection } from './selection-flags.js';

export * from './selection-flags.js';
export { selectionNotes, selectionSummary } from './selection-notes.js';

const PHASE_OF_UNITS: Record<string, SelectablePhase> = {
  'control-plane': 'controlplane',
  workers: 'workers',
};

function keepUnit(unit: NodeUnit, phase: PlanPhase, inventory: Inventory, s: Selection): boolean {
  const node = inventory.nodes.find((n) => n.name === unit.node);
  if (s.nodes?.length && !s.nodes.includes(unit.node)) return false;
  if (s.role !== undefined && node?.role !== s.role) return false;
  const phaseName = PHASE_OF_UNITS[phase.id];
  if (s.phases?.length && (phaseName === undefined || !s.phases.includes(phaseName))) return false;
  if (s.canary !== undefined && node?.role !== 'worker') return false;
  return true;
}

/** What the caller read live (core reads nothing itself); see selectPlan. */
export interface SelectionContext {
  /** Nodes already at the target, Ready and schedulable: `--limit`/`--canary` count only the others. */
  atTarget?: readonly string[];
  /** Resuming a selected run: exactly the nodes it started with (its journal's run-started). */
  pinned?: readonly string[];
}

/**
 * The first `limit` units over the unit phases, in plan order. Given what is already at the
 * target, a limit or canary passes those nodes over, so the next `--limit 3` (or `--canary 2`)
 * takes the next ones; when every candidate is at the target it keeps the first ones, which
 * the engine re-checks and skips (nothing to do, exit 0). A resumed run keeps its pinned nodes.
 */
function chosenUnits(
  plan: Plan,
  inventory: Inventory,
  s: Selection,
  context: SelectionContext,
): Set<string> {
  const candidates = plan.phases.flatMap((phase) =>
    phase.units.filter((u) => keepUnit(u, phase, inventory, s)).map((u) => u.node),
  );
  if (context.pinned !== undefined)
    return new Set(candidates.filter((n) => context.pinned!.includes(n)));
  const limit = s.canary ?? s.limit;
  if (limit === undefined) return new Set(candidates);
  const done = new Set(context.atTarget ?? []);
  const pending = candidates.filter((n) => !done.has(n));
  return new Set((pending.length > 0 ? pending : candidates).slice(0, limit));
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
  const rebuilds = phase.steps
    .filter((s) => s.action === 'rebuild-template')
    .filter((s) => keep.has(s.params.address));
  if (rebuilds.length === 0) return undefined;
  const verify = phase.steps.find((s) => s.action === 'verify-templates');
  const addresses = rebuilds.map((s) => s.params.address);
  const steps: PlanStep[] = [...rebuilds];
  if (verify !== undefined)
    steps.push({
      ...verify,
      params: { ...verify.params, addresses },
      title: `Verify the ${addresses.length} rebuilt template(s) are at Talos ${verify.params.version}`,
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
        .flatMap((s) => s.params.checks)
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
export function selectPlan(
  plan: Plan,
  inventory: Inventory,
  selection: Selection,
  context: SelectionContext = {},
): Plan {
  if (!hasSelection(selection)) return plan;
  checkSelection(plan, inventory, selection);
  const chosen = chosenUnits(plan, inventory, selection, context);
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
  // The cut plan is checked as a built one is: what `plan --json` prints is what runs.
  return checkPlan({
    ...plan,
    phases,
    selection: {
      requested: selection,
      nodes: kept,
      leftAlone: inventory.nodes.map((n) => n.name).filter((n) => !chosen.has(n)),
      templates: phases
        .filter((p) => p.id === 'templates')
        .flatMap((p) => p.steps.filter((s) => s.action === 'rebuild-template'))
        .map((s) => s.params.address),
      canary: selection.canary !== undefined,
    },
  });
}
