/**
 * Polls a gate until it passes. A read that throws is unknown, which is a wait, never a pass.
 * Waits are re-checked with backoff (or, for readiness probes, at a steady interval) until the
 * deadline, then the gate blocks; a block is final.
 */
import { categoryOf, type CategoryOf, type ErrorCode } from '../core/error-codes.js';
import { DroverError } from '../core/errors.js';
import type { GateDecision } from '../core/gates.js';
import type { StepContext } from './context.js';
import { pause } from './retry.js';

export interface GateOptions<C extends ErrorCode = ErrorCode> {
  deadlineSeconds: number;
  /** Code when the deadline passes while still waiting. */
  timeoutCode: C;
  /**
   * The timeout code's category (checked against the catalogue): refused (exit 3) for safety
   * gates, failed (exit 1) for steps waiting on the node. A block carries its own code's.
   */
  category: NoInfer<CategoryOf<C>> & ('refused' | 'failed');
  hint: string;
  /** First re-check delay; doubles up to policy.retry.maxBackoffSeconds. */
  intervalSeconds?: number;
  /**
   * Re-check at intervalSeconds every time, never growing: for readiness probes of something
   * that will change by itself (a machine booting, a member syncing), where a doubling delay
   * only adds its overshoot to every wait (a minute at a time on a four-minute boot).
   */
  steady?: boolean;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export async function runGate<C extends ErrorCode>(
  ctx: StepContext,
  read: () => Promise<GateDecision>,
  options: GateOptions<C>,
): Promise<{ checks: number }> {
  const { clock } = ctx.run.ports;
  const started = clock.now();
  const deadline = started + options.deadlineSeconds * 1000;
  let interval = (options.intervalSeconds ?? ctx.run.policy.retry.initialBackoffSeconds) * 1000;
  const maxInterval = Math.max(interval, ctx.run.policy.retry.maxBackoffSeconds * 1000);
  let lastReason = '';
  for (let checks = 1; ; checks++) {
    let decision: GateDecision;
    try {
      decision = await read();
    } catch (error) {
      if (ctx.run.signal?.aborted) throw error;
      decision = { verdict: 'wait', reason: `read failed (unknown): ${messageOf(error)}` };
    }
    if (decision.verdict === 'pass') return { checks };
    if (decision.verdict === 'block') {
      throw new DroverError(categoryOf(decision.code), decision.code, decision.reason, {
        hint: options.hint,
        details: { stepId: ctx.step.id },
      });
    }
    const now = clock.now();
    if (decision.reason !== lastReason) {
      lastReason = decision.reason;
      ctx.run.ports.reporter.event({
        type: 'gate-waiting',
        at: now,
        stepId: ctx.step.id,
        reason: ctx.run.redactor.redact(decision.reason),
      });
    }
    if (now >= deadline) {
      throw new DroverError(
        options.category,
        options.timeoutCode,
        `${ctx.step.title}: still waiting after ${options.deadlineSeconds}s: ${decision.reason}`,
        { hint: options.hint, details: { stepId: ctx.step.id, reason: decision.reason } },
      );
    }
    await pause(clock, Math.min(interval, deadline - now), ctx.run.signal);
    if (options.steady !== true) interval = Math.min(interval * 2, maxInterval);
  }
}
