/**
 * `drover route` after the command line is parsed: run the use-case, print the result, write
 * GitHub step outputs and summary when running in a workflow, and return the exit code.
 */
import { EXIT_CODES } from '../../core/errors.js';
import {
  appendStepSummary,
  hasStepOutputs,
  writeStepOutputs,
  type Env,
} from '../../adapters/github-actions/github-actions.js';
import {
  isRefused,
  toHumanSummary,
  toMarkdownSummary,
  toRouteDocument,
  toStepOutputs,
} from '../../app/route/route-document.js';
import { runRoute, type RouteOptions } from '../../app/route/run-route.js';

export interface RouteCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export async function routeCommand(
  options: RouteOptions & { json: boolean },
  io: RouteCommandIo,
): Promise<number> {
  const outcome = await runRoute(options);
  const document = toRouteDocument(outcome);
  for (const warning of document.warnings) io.stderr(`warning: ${warning}\n`);
  if (options.json) io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  else io.stdout(toHumanSummary(document));
  await publishToWorkflow(options.env, document);
  return isRefused(document) ? EXIT_CODES.refused : EXIT_CODES.ok;
}

export async function publishToWorkflow(
  env: Env,
  document: ReturnType<typeof toRouteDocument>,
): Promise<void> {
  if (hasStepOutputs(env)) await writeStepOutputs(env, toStepOutputs(document));
  await appendStepSummary(env, toMarkdownSummary(document));
}
