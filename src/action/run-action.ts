/**
 * The GitHub Action (action.yml, `main: dist/action.js`): the router, with inputs mirroring
 * `drover route`'s flags and the same fields as step outputs. Exit codes match the CLI: 0 routed,
 * 2 bad input, 3 refused (outputs and summary are written for refusals too).
 */
import { DroverError, EXIT_CODES, exitCodeFor, isDroverError } from '../core/errors.js';
import {
  actionsCore,
  hasStepOutputs,
  writeStepOutputs,
  type Env,
} from '../adapters/github-actions/github-actions.js';
import { selectionArgs } from '../core/selection.js';
import { selectionFromFlags } from '../cli/selection/parse-selection.js';
import { publishToWorkflow } from '../cli/route/route-command.js';
import { isRefused, toHumanSummary, toRouteDocument } from '../cli/route/route-document.js';
import { ROUTE_DEFAULTS, runRoute } from '../cli/route/run-route.js';
import { loadConfig } from '../cli/config/load-config.js';
import type { ReleaseGateConfig } from '../cli/config/release-gate-config.js';

/** The config's releaseGate section, as `drover route --config` reads it. */
async function releaseGateConfigOf(file: string): Promise<ReleaseGateConfig> {
  const loaded = await loadConfig(file);
  return { section: loaded.config.releaseGate, dir: loaded.dir };
}

/** An input as the runner passes it: INPUT_<NAME> with spaces as underscores, upper case. */
export function actionInput(env: Env, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

export async function runAction(env: Env): Promise<number> {
  const core = await actionsCore();
  const input = (name: string, fallback = '') => actionInput(env, name) || fallback;
  const flag = (name: string) => {
    const value = input(name, 'false').toLowerCase();
    if (value === 'true' || value === 'false') return value === 'true';
    throw new DroverError(
      'usage',
      'BAD_INPUT',
      `input ${name} must be true or false, not ${JSON.stringify(value)}`,
      {
        hint: `set ${name}: 'true' or leave it out`,
      },
    );
  };
  try {
    // Node selection for the upgrade job (checked here, exit 2 on a bad value; applied by
    // `drover upgrade`, which also refuses it for a Kubernetes upgrade and names unknown nodes).
    const selection = selectionFromFlags({
      nodes: input('nodes'),
      role: input('role'),
      limit: input('limit'),
      phase: input('phase'),
      canary: input('canary'),
    });
    const outcome = await runRoute({
      repo: input('repo', ROUTE_DEFAULTS.repo),
      base: input('base') || undefined,
      head: input('head', ROUTE_DEFAULTS.head),
      file: input('file', ROUTE_DEFAULTS.file),
      talosVariable: input('talos-variable', ROUTE_DEFAULTS.talosVariable),
      kubernetesVariable: input('kubernetes-variable', ROUTE_DEFAULTS.kubernetesVariable),
      kubernetesFile: input('kubernetes-file') || undefined,
      kubernetesKey: input('kubernetes-key', ROUTE_DEFAULTS.kubernetesKey),
      allowDowngrade: flag('allow-downgrade'),
      allowMultiHop: flag('allow-multi-hop'),
      allowUnknown: flag('allow-unknown'),
      allowPrerelease: flag('allow-prerelease'),
      ...(input('release-list') ? { releaseList: input('release-list') } : {}),
      ...(input('min-release-age') ? { minReleaseAgeDays: Number(input('min-release-age')) } : {}),
      ...(input('config') ? { releaseGateConfig: await releaseGateConfigOf(input('config')) } : {}),
      env,
    });
    const document = toRouteDocument(outcome);
    for (const warning of document.warnings) core.warning(warning);
    core.info(toHumanSummary(document).trimEnd());
    await publishToWorkflow(env, document);
    if (hasStepOutputs(env))
      await writeStepOutputs(env, {
        selection: JSON.stringify(selection),
        selection_args: JSON.stringify(selectionArgs(selection)),
      });
    if (isRefused(document)) {
      core.setFailed(`refused [${document.code}]: ${document.reason}`);
      return EXIT_CODES.refused;
    }
    return EXIT_CODES.ok;
  } catch (error) {
    const code = isDroverError(error) ? error.code : 'UNEXPECTED';
    const message = error instanceof Error ? error.message : String(error);
    const hint = isDroverError(error) && error.hint ? ` (hint: ${error.hint})` : '';
    core.setFailed(`[${code}] ${message}${hint}`);
    return exitCodeFor(error);
  }
}
