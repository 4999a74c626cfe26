/**
 * The GitHub Action (action.yml, `main: dist/action.js`): the router use case (src/app/route),
 * with inputs mirroring `drover route`'s flags and the same fields as step outputs. Inputs,
 * outputs, the step summary and the failure go through @actions/core, which reads the runner's
 * environment (INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) from process.env. Exit codes match
 * the CLI: 0 routed, 2 bad input, 3 refused (outputs and summary are written for refusals too).
 */
import { DroverError, EXIT_CODES, exitCodeFor, isDroverError } from '../core/errors.js';
import { actionsCore } from '../adapters/github-actions/github-actions.js';
import { selectionArgs } from '../core/selection.js';
import type { Selection } from '../core/selection.js';
import { selectionFromFlags } from '../app/selection/parse-selection.js';
import {
  isRefused,
  toHumanSummary,
  toMarkdownSummary,
  toRouteDocument,
  toStepOutputs,
} from '../app/route/route-document.js';
import type { RouteDocument } from '../app/route/route-document.js';
import { ROUTE_DEFAULTS, runRoute } from '../app/route/run-route.js';
import type { RouteOptions } from '../app/route/run-route.js';
import { loadConfig } from '../app/config/load-config.js';
import { releaseGateConfigOf } from '../app/config/release-gate-config.js';

type ActionsCore = Awaited<ReturnType<typeof actionsCore>>;

export async function runAction(): Promise<number> {
  const core = await actionsCore();
  const inputs = inputReaders(core);
  try {
    // Node selection for the upgrade job (checked here, exit 2 on a bad value; applied by
    // `drover upgrade`, which also refuses it for a Kubernetes upgrade and names unknown nodes).
    const selection = selectionFromFlags({
      nodes: inputs.input('nodes'),
      role: inputs.input('role'),
      limit: inputs.input('limit'),
      phase: inputs.input('phase'),
      canary: inputs.input('canary'),
    });
    const document = toRouteDocument(await runRoute(await routeOptionsOf(inputs)));
    await publish(core, document, selection);
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

type InputReaders = ReturnType<typeof inputReaders>;

function inputReaders(core: ActionsCore) {
  const input = (name: string, fallback = '') => core.getInput(name) || fallback;
  // Left out (or empty) is false; anything but YAML 1.2's booleans is bad input, exit 2.
  const flag = (name: string) => {
    if (core.getInput(name) === '') return false;
    try {
      return core.getBooleanInput(name);
    } catch (error) {
      throw new DroverError(
        'usage',
        'BAD_INPUT',
        `input ${name} must be true or false, not ${JSON.stringify(core.getInput(name))}`,
        { hint: `set ${name}: 'true' or leave it out`, cause: error },
      );
    }
  };
  return { input, flag };
}

/** The router's options from the inputs, as `drover route` takes them from its flags. */
async function routeOptionsOf({ input, flag }: InputReaders): Promise<RouteOptions> {
  return {
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
    // The config's releaseGate, as `drover route --config` applies it.
    ...(input('config')
      ? { releaseGateConfig: releaseGateConfigOf(await loadConfig(input('config'))) }
      : {}),
    // The push event (GITHUB_EVENT_NAME, GITHUB_EVENT_PATH) names the base revision.
    env: process.env,
  };
}

/** Warnings, the log line, the step outputs and (inside a workflow step) the step summary. */
async function publish(core: ActionsCore, document: RouteDocument, selection: Selection) {
  for (const warning of document.warnings) core.warning(warning);
  core.info(toHumanSummary(document).trimEnd());
  for (const [name, value] of Object.entries(toStepOutputs(document))) core.setOutput(name, value);
  core.setOutput('selection', JSON.stringify(selection));
  core.setOutput('selection_args', JSON.stringify(selectionArgs(selection)));
  // The summary file exists only inside a workflow step (@actions/core refuses without it).
  const markdown = toMarkdownSummary(document);
  if (process.env.GITHUB_STEP_SUMMARY)
    await core.summary.addRaw(markdown, !markdown.endsWith('\n')).write();
}
