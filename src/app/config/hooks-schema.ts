/**
 * The `hooks` and `alertmanager` sections of drover.yaml and the command form of a custom gate.
 * Commands are argv arrays, never a shell string: a user who wants a shell writes it out,
 * `[sh, -c, "..."]`. Secrets stay out: auth comes from an environment variable NAME.
 */
import { z } from 'zod';
import { SILENCE_CREATE_FAILURE_MODES } from '../../ports/silences.js';
import { dnsLabel, envName } from './config-fields.js';

const argv = z
  .array(z.string().min(1))
  .min(1)
  .describe(
    'The program and its arguments, as a list (no shell; write [sh, -c, "..."] to use one)',
  );

export const HookCommandSchema = z.strictObject({
  command: argv,
  timeoutSeconds: z
    .int()
    .min(1)
    .default(300)
    .describe('Killed (and failed) after this many seconds'),
});

const hookList = (when: string) => z.array(HookCommandSchema).default([]).describe(when);

export const HooksSchema = z
  .strictObject({
    beforeRun: hookList(
      'Before the first node (after the lock and the silence); a failure stops the run before anything is cordoned',
    ),
    afterRun: hookList(
      'After the last node, on every path (success, failure, abort) once beforeRun was started; DROVER_OUTCOME says how the run ended',
    ),
    beforeDrain: hookList('Per node, right before its drain (it is cordoned, nothing evicted yet)'),
    afterUncordon: hookList(
      'Per node, right after its uncordon; also on a stop for a node whose beforeDrain ran (DROVER_OUTCOME=stopped)',
    ),
  })
  .describe('Commands run around the upgrade; each must exit 0 or the run fails');

export const HOOKS_DEFAULT = { beforeRun: [], afterRun: [], beforeDrain: [], afterUncordon: [] };

export const AlertmanagerSchema = z
  .strictObject({
    url: z.url().describe('Alertmanager base URL, e.g. http://alertmanager.monitoring:9093'),
    matchers: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name'),
          value: z.string(),
          isRegex: z.boolean().default(false),
          isEqual: z.boolean().default(true),
        }),
      )
      .min(1)
      .describe('Alerts the silence covers (at least one must not match the empty string)'),
    durationSeconds: z
      .int()
      .min(60)
      .default(1800)
      .describe(
        'Each silence (and extension) lasts this long ahead of now; extended every third of it',
      ),
    onCreateFailure: z
      .enum(SILENCE_CREATE_FAILURE_MODES)
      .default('refuse')
      .describe('refuse: no silence, no run (exit 3, nothing touched); warn: run without it'),
    createdBy: z.string().min(1).default('drover'),
    timeoutSeconds: z.int().min(1).default(10).describe('Per request'),
    bearerTokenEnv: envName.optional().describe('Variable holding a bearer token'),
    basicAuthEnv: envName.optional().describe('Variable holding user:password for basic auth'),
  })
  .describe('Silence alerts for the run’s duration');

export const CommandGateSchema = z.strictObject({
  name: dnsLabel.describe('Gate name, shown in plans as custom:<name>'),
  description: z.string().optional(),
  command: argv,
  timeoutSeconds: z
    .int()
    .min(1)
    .default(60)
    .describe('A command that does not finish is unknown (a wait)'),
  waitExitCodes: z
    .array(z.int().min(1).max(255))
    .default([75])
    .describe('Exit codes that mean wait and ask again; 0 passes, any other code blocks'),
});

export type HooksConfig = z.output<typeof HooksSchema>;
export type AlertmanagerConfig = z.output<typeof AlertmanagerSchema>;
export type CommandGateConfig = z.output<typeof CommandGateSchema>;
