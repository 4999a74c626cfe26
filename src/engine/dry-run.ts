/** A dry run acts on nothing and journals nothing: the report lists every step as skipped. */
import type { Inventory } from '../core/inventory.js';
import type { Plan } from '../core/plan.js';
import { allSteps } from '../core/plan.js';
import { buildReport } from '../core/report.js';
import type { UpgradeReport } from '../core/report.js';

export function dryRunReport(
  plan: Plan,
  inventory: Inventory,
  runId: string,
  at: number,
  lowerBound: number,
): UpgradeReport {
  const entries = allSteps(plan).map((s) => ({
    type: 'step-finished',
    at,
    runId,
    stepId: s.id,
    action: s.action,
    outcome: 'skipped',
    message: 'dry run',
    ...(s.node ? { node: s.node } : {}),
  }));
  const report = buildReport({
    plan,
    inventory,
    runId,
    entries,
    outcome: 'succeeded',
    finishedAt: at,
    lowerBoundSeconds: lowerBound,
    failure: null,
    notes: ['dry run: nothing was changed'],
    violations: [],
  });
  // Nothing ran: the cluster is where it was, whatever the plan would leave.
  return { ...report, mixedVersions: null };
}
