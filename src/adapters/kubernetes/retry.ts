/**
 * Reads are retried a few times with backoff on the injected clock when the failure is
 * transient (5xx, connection reset, throttling); anything else fails at once.
 */
import type { Clock } from '../../ports/clock.js';
import type { Redactor } from '../../core/redact.js';
import { apiStatus, isTransient, toDroverError, type ApiOrigin } from './api-errors.js';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const READ_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 4000 };

export async function withRetry<T>(
  operation: string,
  call: () => Promise<T>,
  clock: Clock,
  options: { policy?: RetryPolicy; redactor?: Redactor; retry?: boolean; origin?: ApiOrigin } = {},
): Promise<T> {
  const policy = options.policy ?? READ_RETRY;
  const attempts = options.retry === false ? 1 : policy.attempts;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const status = apiStatus(error);
      if (attempt >= attempts || !isTransient(status)) {
        throw toDroverError(error, operation, options.redactor, options.origin);
      }
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const wait = status.retryAfterSeconds
        ? Math.max(backoff, status.retryAfterSeconds * 1000)
        : backoff;
      await clock.sleep(Math.min(wait, policy.maxDelayMs));
    }
  }
}
