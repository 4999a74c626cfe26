/** What `upgrade --dry-run` prints: the plan, then what the live cluster says about each node. */
import { planToText } from '../../core/plan-build.js';
import type { Plan } from '../../core/plan.js';
import type { UpgradeReport } from '../../core/report.js';
import type { PreflightResult } from '../../engine/preflight.js';

export function dryRunText(plan: Plan, preflight: PreflightResult): string {
  const { target } = preflight;
  const versions = `Talos ${target.talos}${target.kubernetes ? `, Kubernetes ${target.kubernetes}` : ''}`;
  const header = ['NODE', 'ROLE', 'HOST', 'READY', 'CORDONED', 'TALOS', 'KUBELET', 'WOULD'];
  const rows = preflight.nodes.map((n) => [
    n.name,
    n.role,
    n.host,
    n.ready,
    n.cordoned ? 'yes' : 'no',
    n.talosVersion ?? 'unknown',
    n.kubeletVersion,
    plan.selection !== undefined && !plan.selection.nodes.includes(n.name)
      ? 'leave alone (not selected)'
      : n.wouldSkip
        ? 'skip (at target)'
        : n.atTarget
          ? 'run (at target)'
          : 'upgrade',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [
    'DRY RUN: nothing in the cluster, the journal or the lock is changed.',
    '',
    planToText(plan).trimEnd(),
    '',
    `Live cluster ${plan.cluster}: all ${preflight.nodes.length} nodes of the config found; target ${versions}`,
    line(header),
    ...rows.map(line),
    ...preflight.notes.map((n) => `note: ${n}`),
    '',
  ].join('\n');
}

/** The dry run's report with each step's message saying what the live cluster made of it. */
export function annotateReport(
  report: UpgradeReport,
  preflight: PreflightResult,
): UpgradeReport & { dryRun: true; preflight: PreflightResult } {
  return {
    ...report,
    nodes: report.nodes.map((node) => ({
      ...node,
      steps: node.steps.map((step) => {
        const note = preflight.annotations[step.id];
        return note === undefined ? step : { ...step, message: `dry run: ${note}` };
      }),
    })),
    notes: [...report.notes, ...preflight.notes],
    dryRun: true,
    preflight,
  };
}
