/**
 * The GitHub Actions runner protocol: step outputs (GITHUB_OUTPUT), the Markdown step summary
 * (GITHUB_STEP_SUMMARY) and the triggering event (GITHUB_EVENT_PATH). @actions/core (inputs,
 * annotations) is loaded on first use so that nothing outside a workflow pays for it.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { EOL } from 'node:os';
import type * as ActionsCoreModule from '@actions/core';
import { DroverError } from '../../core/errors.js';

type ActionsCore = typeof ActionsCoreModule;
let loaded: Promise<ActionsCore> | undefined;
export function actionsCore(): Promise<ActionsCore> {
  loaded ??= import('@actions/core');
  return loaded;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** True inside a workflow step that can take outputs. */
export function hasStepOutputs(env: Env): boolean {
  return !!env.GITHUB_OUTPUT;
}

/**
 * Appends each output to the GITHUB_OUTPUT file in the runner's multi-line form
 * (`name<<DELIMITER`, value, `DELIMITER`), with a random delimiter the value cannot contain.
 * Written here rather than through @actions/core so that the environment is an argument.
 */
export async function writeStepOutputs(
  env: Env,
  outputs: Readonly<Record<string, string>>,
): Promise<void> {
  if (!env.GITHUB_OUTPUT) return;
  let text = '';
  for (const [name, value] of Object.entries(outputs)) {
    let delimiter = `ghadelimiter_${randomUUID()}`;
    while (value.includes(delimiter) || name.includes(delimiter))
      delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
  }
  await appendFile(env.GITHUB_OUTPUT, text, 'utf8');
}

/** Appends Markdown to the step summary file; a no-op outside a workflow. */
export async function appendStepSummary(env: Env, markdown: string): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  await appendFile(
    env.GITHUB_STEP_SUMMARY,
    markdown.endsWith(EOL) ? markdown : `${markdown}${EOL}`,
    'utf8',
  );
}

const ZERO_SHA = /^0+$/;

/**
 * The revision before a push (the event's `before`), so a bump in any commit of a multi-commit
 * push is seen. Null when the event is not a push, or the push created the branch (all zeros).
 */
export async function pushBeforeRevision(env: Env): Promise<string | null> {
  if (env.GITHUB_EVENT_NAME !== 'push' || !env.GITHUB_EVENT_PATH) return null;
  let event: unknown;
  try {
    event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8'));
  } catch (error) {
    throw new DroverError(
      'input',
      'GITHUB_EVENT_UNREADABLE',
      `cannot read the GitHub event file ${env.GITHUB_EVENT_PATH}`,
      {
        hint: 'the runner sets GITHUB_EVENT_PATH; pass the base revision explicitly to bypass it',
        cause: error,
      },
    );
  }
  const before = (event as { before?: unknown } | null)?.before;
  if (typeof before !== 'string' || before === '' || ZERO_SHA.test(before)) return null;
  return before;
}
