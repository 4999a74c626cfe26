/** `drover plan`: load the config, build the plan, print it (one JSON document with --json). */
import { DroverError } from '../../core/errors.js';
import type { RouteAllowances } from '../../core/route.js';
import { UPGRADE_KINDS } from '../../core/plan.js';
import type { UpgradeKind } from '../../core/plan.js';
import { planToText } from '../../core/plan-build.js';
import { selectPlan } from '../../core/selection.js';
import { selectionFromFlags } from '../selection/parse-selection.js';
import { planUpperBoundSeconds } from '../../core/upper-bound.js';
import { loadConfig } from '../config/load-config.js';
import { releaseGateFlagsFrom, resolveReleaseGate } from '../config/release-gate-config.js';
import { planFromConfig } from './plan-from-config.js';

export interface PlanCommandOptions {
  config: string;
  to: string;
  from?: string;
  kubernetesFrom?: string;
  json?: boolean;
  /** --nodes, --role, --limit, --phase, --canary as commander gives them. */
  nodes?: string;
  role?: string;
  limit?: string;
  phase?: string;
  canary?: string;
  allow?: RouteAllowances;
  /** --release-list, --min-release-age as commander gives them (over the config's releaseGate). */
  releaseList?: string;
  minReleaseAge?: string;
}

export interface CommandOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processOutput: CommandOutput = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

export async function runPlanCommand(
  kind: string,
  options: PlanCommandOptions,
  out: CommandOutput = processOutput,
): Promise<number> {
  if (!(UPGRADE_KINDS as readonly string[]).includes(kind)) {
    throw new DroverError(
      'usage',
      'KIND_INVALID',
      `kind: "${kind}" is not one of ${UPGRADE_KINDS.join(', ')}`,
      {
        hint: 'Example: drover plan cattle --config drover.yaml --to 1.11.0',
      },
    );
  }
  const selection = selectionFromFlags(options as unknown as Record<string, unknown>);
  const loaded = await loadConfig(options.config);
  const releaseGate = await resolveReleaseGate(
    { section: loaded.config.releaseGate, dir: loaded.dir },
    releaseGateFlagsFrom(options as unknown as Record<string, unknown>),
    Date.now(),
  );
  const { plan: full, notes } = planFromConfig(loaded, kind as UpgradeKind, {
    to: options.to,
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.kubernetesFrom === undefined ? {} : { kubernetesFrom: options.kubernetesFrom }),
    ...(options.allow ? { allow: options.allow } : {}),
    command: 'plan',
    ...(releaseGate ? { releaseGate } : {}),
  });
  for (const warning of loaded.warnings) out.stderr(`warning: ${warning}\n`);
  const plan = selectPlan(full, loaded.inventory, selection);
  for (const note of notes) out.stderr(`note: ${note}\n`);
  // The worst case the policy allows (every step at its deadline on every retry), not an
  // estimate: what `drover init` sets the upgrade job's timeout-minutes from.
  const upperBoundSeconds = planUpperBoundSeconds(plan, {
    lockTtlSeconds: loaded.config.lock.ttlSeconds,
  });
  out.stdout(
    options.json
      ? `${JSON.stringify({ ...plan, upperBoundSeconds }, null, 2)}\n`
      : `${planToText(plan)}Upper bound: ${upperBoundText(upperBoundSeconds)} (every step at its deadline on every retry; the job timeout)\n`,
  );
  return 0;
}

function upperBoundText(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
