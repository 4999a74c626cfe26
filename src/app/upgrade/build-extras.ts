/**
 * The optional ports of a real run from the config: the hook commands (a CommandHookRunner)
 * and the Alertmanager silence (AlertmanagerSilences). Absent when the config has none.
 */
import { AlertmanagerSilences } from '../../adapters/alertmanager/alertmanager-silences.js';
import { CommandHookRunner } from '../../adapters/hooks/command-hook-runner.js';
import { findProgram } from '../../adapters/hooks/find-program.js';
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';
import type { HookRunner, SilencePort } from '../../ports/index.js';
import type { AlertmanagerConfig, HooksConfig } from '../config/hooks-schema.js';

type Env = Record<string, string | undefined>;

export function definedEnv(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

export function buildHookRunner(
  hooks: HooksConfig,
  options: { redactor: Redactor; cwd: string; env: Env },
): HookRunner | undefined {
  const commands = {
    'before-run': hooks.beforeRun,
    'after-run': hooks.afterRun,
    'before-drain': hooks.beforeDrain,
    'after-uncordon': hooks.afterUncordon,
  };
  if (Object.values(commands).every((list) => list.length === 0)) return undefined;
  const missing = Object.entries(hooks).flatMap(([key, list]) =>
    list.flatMap((hook, i) => {
      const program = hook.command[0] ?? '';
      return findProgram(program, options.cwd, options.env.PATH)
        ? []
        : [`hooks.${key}[${i}]: ${program}`];
    }),
  );
  if (missing.length > 0)
    throw new DroverError(
      'input',
      'HOOK_PROGRAM_NOT_FOUND',
      `hook programs that cannot be started: ${missing.join(', ')}`,
      {
        hint: 'Nothing was touched. Install them on the runner or fix the paths (relative to the config file); a bare name is looked up on PATH.',
      },
    );
  return new CommandHookRunner(commands, {
    redactor: options.redactor,
    cwd: options.cwd,
    env: definedEnv(options.env),
  });
}

/** The secret variables of the alertmanager section (registered with the Redactor). */
export function alertmanagerSecretEnvNames(am: AlertmanagerConfig | undefined): string[] {
  return [am?.bearerTokenEnv, am?.basicAuthEnv].filter((n): n is string => n !== undefined);
}

export function buildSilences(
  am: AlertmanagerConfig | undefined,
  options: { redactor: Redactor; env: Env },
): SilencePort | undefined {
  if (am === undefined) return undefined;
  const variable = am.bearerTokenEnv ?? am.basicAuthEnv;
  const secret = variable === undefined ? undefined : options.env[variable];
  if (variable !== undefined && (secret === undefined || secret === ''))
    throw new DroverError('input', 'ALERTMANAGER_AUTH_MISSING', `${variable} is not set`, {
      hint: `alertmanager.${am.bearerTokenEnv ? 'bearerTokenEnv' : 'basicAuthEnv'} names ${variable}: set it in the runner's environment.`,
    });
  return new AlertmanagerSilences({
    url: am.url,
    matchers: am.matchers,
    durationSeconds: am.durationSeconds,
    onCreateFailure: am.onCreateFailure,
    createdBy: am.createdBy,
    timeoutSeconds: am.timeoutSeconds,
    redactor: options.redactor,
    ...(secret === undefined
      ? {}
      : { auth: am.bearerTokenEnv ? { bearerToken: secret } : { basic: secret } }),
  });
}

/** What `--dry-run` says about the hooks and the silence a real run would have (none run). */
export function extrasText(config: {
  hooks: HooksConfig;
  alertmanager?: AlertmanagerConfig;
}): string {
  const lines: string[] = [];
  for (const [key, list] of Object.entries(config.hooks))
    for (const hook of list)
      lines.push(`  hook ${key}: ${hook.command.join(' ')} (timeout ${hook.timeoutSeconds}s)`);
  const am = config.alertmanager;
  if (am)
    lines.push(
      `  Alertmanager silence at ${am.url} for ${am.matchers.map((m) => `${m.name}${m.isEqual ? '' : '!'}${m.isRegex ? '=~' : '='}"${m.value}"`).join(',')}, ${am.durationSeconds}s ahead, extended while the run lasts (onCreateFailure: ${am.onCreateFailure})`,
    );
  return lines.length === 0
    ? ''
    : `Around the run (nothing of it runs in a dry run):\n${lines.join('\n')}\n`;
}
