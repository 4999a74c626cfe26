/**
 * The HookRunner of a real run: the config's hook commands, one after another, each through the
 * exec chokepoint with its timeout. The context goes in the environment, never in argv:
 * DROVER_HOOK, DROVER_CLUSTER, DROVER_KIND, DROVER_FROM, DROVER_TO, DROVER_RUN_ID, and
 * DROVER_NODE (per-node hooks) and DROVER_OUTCOME (after hooks) when they apply.
 */
import type { Redactor } from '../../core/redact.js';
import type { HookCommandResult, HookContext, HookPoint, HookRunner } from '../../ports/hooks.js';
import { runOperatorCommand } from './run-command.js';
import type { OperatorCommand } from './run-command.js';

export type HookCommands = Partial<Record<HookPoint, readonly OperatorCommand[]>>;

export function hookEnvironment(context: HookContext): Record<string, string> {
  return {
    DROVER_HOOK: context.point,
    DROVER_CLUSTER: context.cluster,
    DROVER_KIND: context.kind,
    DROVER_FROM: context.from,
    DROVER_TO: context.to,
    DROVER_RUN_ID: context.runId,
    ...(context.node ? { DROVER_NODE: context.node } : {}),
    ...(context.outcome ? { DROVER_OUTCOME: context.outcome } : {}),
  };
}

export class CommandHookRunner implements HookRunner {
  constructor(
    private readonly commands: HookCommands,
    private readonly options: { redactor: Redactor; cwd?: string; env?: Record<string, string> },
  ) {}

  configured(point: HookPoint): boolean {
    return (this.commands[point]?.length ?? 0) > 0;
  }

  async run(context: HookContext): Promise<HookCommandResult[]> {
    const results: HookCommandResult[] = [];
    for (const spec of this.commands[context.point] ?? []) {
      const run = await runOperatorCommand(spec, {
        env: { ...this.options.env, ...hookEnvironment(context) },
        redactor: this.options.redactor,
        ...(this.options.cwd ? { cwd: this.options.cwd } : {}),
      });
      const ok = run.exitCode === 0;
      results.push({ ...run, ok });
      if (!ok) break;
    }
    return results;
  }
}
