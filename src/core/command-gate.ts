/**
 * A command gate's verdict from its exit status, pure. The mapping (docs/configuration.md):
 * - 0: pass;
 * - an exit code listed in `waitExitCodes` (default 75, EX_TEMPFAIL of sysexits.h: "try again
 *   later"): wait, re-checked with backoff until the gate deadline, then the gate blocks;
 * - any other status, a kill by a signal included: block, final, reason code COMMAND_GATE_BLOCKED.
 * A command that could not run or did not finish (not found, timeout) has no status: that is
 * unknown, a wait like any failed read, never a pass.
 */
import { block, PASS, wait } from './gates.js';
import type { GateDecision } from './gates.js';

export const DEFAULT_WAIT_EXIT_CODES: readonly number[] = [75];
export const COMMAND_GATE_BLOCKED = 'COMMAND_GATE_BLOCKED';

export interface CommandGateOutcome {
  /** Undefined when the command did not run to an exit (timeout, not found). */
  exitCode: number | undefined;
  /** The last of its output (already redacted). */
  outputTail: string;
  /** Why it has no exit code. */
  error?: string;
}

export function commandGateDecision(
  name: string,
  outcome: CommandGateOutcome,
  waitExitCodes: readonly number[] = DEFAULT_WAIT_EXIT_CODES,
): GateDecision {
  const output = outcome.outputTail.trim() === '' ? '' : `: ${outcome.outputTail.trim()}`;
  if (outcome.exitCode === undefined)
    return wait(
      `command gate ${name} did not finish (unknown): ${outcome.error ?? 'no exit status'}`,
    );
  if (outcome.exitCode === 0) return PASS;
  if (waitExitCodes.includes(outcome.exitCode))
    return wait(`command gate ${name} exited ${outcome.exitCode} (wait)${output}`);
  return block(COMMAND_GATE_BLOCKED, `command gate ${name} exited ${outcome.exitCode}${output}`);
}
