/** What `drover plan` and a selected run's report say about the selection. */
import type { Plan } from './plan.js';
import { selectionFlags } from './selection-flags.js';

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
  const next = `Next: the same command without ${selectionFlags(sel.requested)} re-checks ${kept} (already at Talos ${plan.to}: skipped, never ${plan.kind === 'cattle' ? 'replaced' : 'upgraded'} again) as it does every node already there, and upgrades those of the ${rest} node(s) this run left alone that are not${plan.kind === 'cattle' ? ', rebuilding the templates not yet built first' : ''}.`;
  const count = sel.requested.canary ?? sel.requested.limit;
  const again =
    count === undefined
      ? ''
      : ` Or run the same command again: it takes the next ${count} not yet at the target.`;
  if (sel.canary) {
    const verdict = plan.phases
      .flatMap((p) => p.steps)
      .find((s) => s.id === 'cluster/post-checks' && s.action === 'post-checks');
    const checks =
      verdict?.action === 'post-checks' ? verdict.params.checks.join(', ') : 'post checks';
    return succeeded
      ? [
          `Canary passed: ${kept} upgraded to Talos ${plan.to}; then ${checks} passed over the whole cluster; ${rest} node(s) left alone. ${next}${again}`,
        ]
      : [
          `Canary of ${kept} did not pass: fix the cause and run the canary again with --resume before the full run.`,
        ];
  }
  const what =
    sel.nodes.length > 0 ? `upgrades ${kept}` : `rebuilds templates only (${list(sel.templates)})`;
  return [
    `Selected run (${selectionFlags(sel.requested)}): ${what}; left alone: ${list(sel.leftAlone)}.${succeeded ? ` ${next}${again}` : ''}`,
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
