/**
 * A child in its own process group, so that a kill reaches what it started too, and its end
 * after a timeout or an abort: SIGTERM to the group, then SIGKILL to whatever ignored it.
 */
import type { ChildProcess } from 'node:child_process';

export type KillReason = 'timeout' | 'abort';

/** How long a child has to exit after SIGTERM before its group gets SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * Kills the child's group once, for the first reason given; `reason()` says which, if any.
 */
export function groupKiller(child: ChildProcess): {
  kill: (why: KillReason) => void;
  reason: () => KillReason | undefined;
} {
  let killedFor: KillReason | undefined;
  return {
    kill(why) {
      if (killedFor) return;
      killedFor = why;
      killGroup(child, 'SIGTERM');
      // A child that ignores SIGTERM gets SIGKILL shortly after, and so does its group.
      setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
    },
    reason: () => killedFor,
  };
}

/** Signals the child's whole process group (it leads one: spawned detached); the child alone if that fails. */
function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) {
      process.kill(-child.pid, sig);
      return;
    }
  } catch {
    // The group is gone already, or the platform has no groups: fall back to the child.
  }
  child.kill(sig);
}

/** The exit code a shell reports for a child a signal ended: 128 + the signal's number. */
export function exitCodeOf(code: number | null, sig: NodeJS.Signals | null): number {
  return code ?? (sig ? 128 + signalNumber(sig) : 1);
}

function signalNumber(sig: NodeJS.Signals): number {
  const table: Partial<Record<NodeJS.Signals, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return table[sig] ?? 0;
}
