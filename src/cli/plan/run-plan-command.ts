/** `drover plan` after the command line is parsed: plan, print (one JSON document with --json). */
import type { RouteAllowances } from '../../core/route.js';
import { planToText } from '../../core/plan-build.js';
import { planUpgrade } from '../../app/plan/plan-upgrade.js';
import { selectionFromFlags } from '../../app/selection/parse-selection.js';
import { checkKind } from '../../app/plan/upgrade-kind.js';
import { releaseGateFlagsFrom } from '../../app/config/release-gate-config.js';

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
  const checked = checkKind(kind, 'plan');
  const selection = selectionFromFlags(options as unknown as Record<string, unknown>);
  const { plan, upperBoundSeconds, warnings, notes } = await planUpgrade({
    kind: checked,
    config: options.config,
    to: options.to,
    ...(options.from === undefined ? {} : { from: options.from }),
    ...(options.kubernetesFrom === undefined ? {} : { kubernetesFrom: options.kubernetesFrom }),
    ...(options.allow ? { allow: options.allow } : {}),
    releaseGate: releaseGateFlagsFrom(options as unknown as Record<string, unknown>),
    selection,
  });
  for (const warning of warnings) out.stderr(`warning: ${warning}\n`);
  for (const note of notes) out.stderr(`note: ${note}\n`);
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
