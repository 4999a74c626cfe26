/**
 * The twin's HookRunner: runs the scenario's scripted hooks on virtual time. Each takes its
 * `durationSeconds`, then exits 0 or, when its `fails` script matches, with the scripted exit
 * code and output; a `hangs` script is killed at its `timeoutSeconds` with no exit status, as
 * the exec chokepoint does. Every call is recorded for tests.
 */
import type { Clock } from '../../../ports/clock.js';
import type {
  HookCommandResult,
  HookContext,
  HookPoint,
  HookRunner,
} from '../../../ports/hooks.js';
import type { ScenarioHook } from '../scenario/hooks.js';

export class SimulatedHookRunner implements HookRunner {
  readonly calls: HookContext[] = [];
  private readonly failuresLeft = new Map<ScenarioHook, number>();

  constructor(
    private readonly hooks: readonly ScenarioHook[],
    private readonly clock: Clock,
  ) {}

  configured(point: HookPoint): boolean {
    return this.hooks.some((h) => h.point === point);
  }

  private fails(hook: ScenarioHook, context: HookContext): boolean {
    const script = hook.fails;
    if (script === undefined) return false;
    if (script.node !== undefined && script.node !== context.node) return false;
    if (script.times === 'always') return true;
    const left = this.failuresLeft.get(hook) ?? script.times;
    if (left <= 0) return false;
    this.failuresLeft.set(hook, left - 1);
    return true;
  }

  async run(context: HookContext): Promise<HookCommandResult[]> {
    this.calls.push({ ...context });
    const results: HookCommandResult[] = [];
    for (const hook of this.hooks.filter((h) => h.point === context.point)) {
      const failed = this.fails(hook, context);
      if (failed && hook.fails?.hangs) {
        await this.clock.sleep(hook.timeoutSeconds * 1000);
        results.push({
          command: hook.command.join(' '),
          exitCode: undefined,
          ok: false,
          durationSeconds: hook.timeoutSeconds,
          outputTail: hook.fails.output,
          error: `timed out after ${hook.timeoutSeconds} s: ${hook.command.join(' ')}`,
        });
        break;
      }
      await this.clock.sleep(hook.durationSeconds * 1000);
      results.push({
        command: hook.command.join(' '),
        exitCode: failed ? (hook.fails?.exitCode ?? 1) : 0,
        ok: !failed,
        durationSeconds: hook.durationSeconds,
        outputTail: failed ? (hook.fails?.output ?? '') : hook.output,
      });
      if (failed) break;
    }
    return results;
  }
}
