/**
 * The plan use case (`drover plan`): the plan of an upgrade from the config alone (no cluster),
 * cut to the selection, with its upper bound: the worst case the policy allows (every step at
 * its deadline on every retry), not an estimate; what `drover init` sets the upgrade job's
 * timeout-minutes from.
 */
import type { Plan, UpgradeKind } from '../../core/plan.js';
import type { RouteAllowances } from '../../core/route.js';
import { selectPlan } from '../../core/selection.js';
import type { Selection } from '../../core/selection.js';
import { planUpperBoundSeconds } from '../../core/upper-bound.js';
import { loadConfig } from '../config/load-config.js';
import { planFromConfig } from './plan-from-config.js';
import { resolveReleaseGate } from '../config/release-gate-config.js';
import type { ReleaseGateFlags } from '../config/release-gate-config.js';

export interface PlanRequest {
  /** Checked by the caller (app/plan/upgrade-kind.ts). */
  kind: UpgradeKind;
  config: string;
  to: string;
  from?: string;
  kubernetesFrom?: string;
  /** --nodes, --role, --limit, --phase, --canary, parsed (app/selection/parse-selection.ts). */
  selection: Selection;
  allow?: RouteAllowances;
  /** --release-list, --min-release-age: over the config's releaseGate. */
  releaseGate?: ReleaseGateFlags;
}

export interface PlannedUpgrade {
  /** The selected plan. */
  plan: Plan;
  upperBoundSeconds: number;
  /** The config's warnings (a setting another caps). */
  warnings: string[];
  /** Things the operator should know that do not stop the plan. */
  notes: string[];
}

export async function planUpgrade(request: PlanRequest): Promise<PlannedUpgrade> {
  const { kind } = request;
  const loaded = await loadConfig(request.config);
  const releaseGate = await resolveReleaseGate(
    { section: loaded.config.releaseGate, dir: loaded.dir },
    request.releaseGate ?? {},
    Date.now(),
  );
  const { plan: full, notes } = planFromConfig(loaded, kind, {
    to: request.to,
    ...(request.from === undefined ? {} : { from: request.from }),
    ...(request.kubernetesFrom === undefined ? {} : { kubernetesFrom: request.kubernetesFrom }),
    ...(request.allow ? { allow: request.allow } : {}),
    command: 'plan',
    ...(releaseGate ? { releaseGate } : {}),
  });
  const plan = selectPlan(full, loaded.inventory, request.selection);
  const upperBoundSeconds = planUpperBoundSeconds(plan, {
    lockTtlSeconds: loaded.config.lock.ttlSeconds,
  });
  return { plan, upperBoundSeconds, warnings: loaded.warnings, notes };
}
