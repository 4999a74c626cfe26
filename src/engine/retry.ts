/**
 * Retries retryable failures (a DroverError whose code the catalogue, core/error-codes.ts, marks
 * retryable, unless the caller says what is): by attempt count with exponential backoff
 * (policy.retry), or by time at a fixed pace up to a deadline. Anything else fails at once. No jitter: the
 * engine is deterministic for a seed; one run per cluster means no thundering herd to spread.
 */
import { DroverError, isDroverError, isRetryable } from '../core/errors.js';
import type { RetryPolicy } from '../core/policy.js';
import type { Clock } from '../ports/clock.js';

/** Delay before attempt `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, retry: RetryPolicy): number {
  const seconds = retry.initialBackoffSeconds * 2 ** Math.max(0, attempt - 1);
  return Math.min(seconds, retry.maxBackoffSeconds) * 1000;
}

/**
 * The wait after `previousMs` for a loop that keeps its own delay (a gate, an eviction, a held-back
 * pick): twice as long, up to the policy's maximum.
 */
export function nextBackoffMs(previousMs: number, retry: RetryPolicy): number {
  return Math.min(previousMs * 2, retry.maxBackoffSeconds * 1000);
}

export function abortError(signal: AbortSignal | undefined): DroverError {
  const reason = signal?.reason;
  if (isDroverError(reason)) return reason;
  return new DroverError('aborted', 'ABORTED', 'the run was cancelled', {
    hint: 'Run again with --resume to continue from the journal.',
    ...(reason instanceof Error ? { cause: reason } : {}),
  });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Sleeps on the injected clock; an abort turns into the ABORTED DroverError. */
export async function pause(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  try {
    await clock.sleep(ms, signal);
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    throw error;
  }
}

/** Retries until a moment on the clock, at a fixed pace, however many attempts that takes. */
export interface RetryBudget {
  /** No further attempt once the clock reads this or later (clock milliseconds). */
  untilMs: number;
  /** Between two attempts; the last may end past untilMs (never cut short). */
  delayMs: number;
}

interface RetryCommon {
  clock: Clock;
  signal?: AbortSignal;
  /** Called before each wait, for the audit log and progress. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Decides what is worth another attempt; retryable codes by default. */
  retryable?: (error: unknown) => boolean | Promise<boolean>;
}

export type RetryOptions = RetryCommon &
  (
    | { /** By attempt count, with backoff. */ retry: RetryPolicy; budget?: never }
    | { /** By time. */ budget: RetryBudget; retry?: never }
  );

/** When a retry loop stops trying, and how long it waits before the next attempt. */
interface Pace {
  spent: (attempt: number) => boolean;
  delayMs: (attempt: number) => number;
}

function paceOf(options: RetryOptions): Pace {
  const { budget, clock } = options;
  if (budget !== undefined)
    return { spent: () => clock.now() >= budget.untilMs, delayMs: () => budget.delayMs };
  const { retry } = options;
  const attempts = Math.max(1, retry.attempts);
  return { spent: (attempt) => attempt >= attempts, delayMs: (a) => backoffMs(a, retry) };
}

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const retryable = options.retryable ?? isRetryable;
  const pace = paceOf(options);
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw abortError(options.signal);
      if (pace.spent(attempt) || !(await retryable(error))) throw error;
      const delay = pace.delayMs(attempt);
      options.onRetry?.(error, attempt, delay);
      await pause(options.clock, delay, options.signal);
    }
  }
}
