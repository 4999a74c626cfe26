/**
 * Scripted hooks of a scenario (`hooks:` in the scenario YAML, docs/scenarios.md): which hook
 * points have a command, how long it takes in virtual time, and when it fails (exit code and
 * output), so scenarios can make a hook fail where a real one would.
 */
import { z } from 'zod';
import { HOOK_POINTS } from '../../../ports/hooks.js';

export const scenarioHookSchema = z.strictObject({
  point: z.enum(HOOK_POINTS),
  /** Shown in the report as the command; nothing is executed. */
  command: z.array(z.string().min(1)).min(1),
  durationSeconds: z.number().nonnegative().default(1),
  /** Its timeout: a `fails.hangs` run takes this long, then fails with no exit status. */
  timeoutSeconds: z.number().positive().default(300),
  /** Output of a successful run. */
  output: z.string().default(''),
  fails: z
    .strictObject({
      /** Per-node hooks: fail only for this node. */
      node: z.string().optional(),
      exitCode: z.number().int().min(1).max(255).default(1),
      /** It never exits: killed at its timeout, as the exec chokepoint would. */
      hangs: z.boolean().default(false),
      output: z.string().default(''),
      /** How many matching runs fail before it passes. */
      times: z.union([z.number().int().positive(), z.literal('always')]).default('always'),
    })
    .optional(),
});

export const scenarioHooksSchema = z.array(scenarioHookSchema).default([]);
export type ScenarioHook = z.output<typeof scenarioHookSchema>;
