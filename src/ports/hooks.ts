/**
 * Operator hooks: commands the config runs around an upgrade. The engine decides when (and that
 * an after hook follows every before hook that ran); the runner only runs what it is asked.
 */

/**
 * Where a hook runs: before the first node and after the last (`before-run`, `after-run`), and
 * per node right before its drain and right after its uncordon.
 */
export const HOOK_POINTS = ['before-run', 'after-run', 'before-drain', 'after-uncordon'] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

/** What a hook is told (as DROVER_* environment variables; see docs/configuration.md). */
export interface HookContext {
  point: HookPoint;
  cluster: string;
  kind: string;
  from: string;
  to: string;
  runId: string;
  /** Per-node hooks: the node. */
  node?: string;
  /** After hooks: how the run (or the node's cycle) ended: succeeded, failed, aborted, stopped. */
  outcome?: string;
}

/** One command of a hook point, as it ran. */
export interface HookCommandResult {
  /** The command as shown to people (redacted). */
  command: string;
  /** Exit status; undefined when it never exited (timeout, not found). */
  exitCode: number | undefined;
  ok: boolean;
  durationSeconds: number;
  /** The last lines of stdout and stderr together, redacted and tail-limited. */
  outputTail: string;
  /** Why it failed when there is no exit status (timeout, not found), redacted. */
  error?: string;
}

export interface HookRunner {
  /** Whether the config has commands at this point. */
  configured(point: HookPoint): boolean;
  /**
   * Runs the point's commands in order and stops at the first that fails. Never throws for a
   * failing command: the results say so (the engine turns them into a failure).
   */
  run(context: HookContext): Promise<HookCommandResult[]>;
}
