/**
 * The adapter's shared plumbing: the typed client-node APIs for one KubeConfig, request
 * counting, retried reads and unretried writes with errors converted once, and the set of open
 * watches so close() can end them.
 */
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { Clock } from '../../ports/clock.js';
import type { Redactor } from '../../core/redact.js';
import { toDroverError, type ApiOrigin } from './api-errors.js';
import { withRetry } from './retry.js';

export class KubeClient {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly watches = new Set<AbortController>();
  private requests = 0;

  constructor(
    readonly kc: KubeConfig,
    readonly clock: Clock,
    readonly redactor: Redactor | undefined,
    /** Named in every error this client raises. */
    readonly origin?: ApiOrigin,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
  }

  get requestCount(): number {
    return this.requests;
  }

  /** Counts one HTTP request made outside read/write (watches, health checks). */
  counted(): void {
    this.requests += 1;
  }

  /** A read: transient failures are retried with backoff on the clock. */
  read<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return withRetry(
      operation,
      () => {
        this.requests += 1;
        return call();
      },
      this.clock,
      { redactor: this.redactor, ...(this.origin ? { origin: this.origin } : {}) },
    );
  }

  /** A write: one attempt; the caller decides whether a transient failure is retried. */
  async write<T>(operation: string, call: () => Promise<T>): Promise<T> {
    this.requests += 1;
    try {
      return await call();
    } catch (error) {
      throw toDroverError(error, operation, this.redactor, this.origin);
    }
  }

  close(): void {
    for (const controller of this.watches) controller.abort();
    this.watches.clear();
  }
}

/** A read that answers undefined for 404 instead of failing. */
export async function readOptional<T>(
  client: KubeClient,
  operation: string,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await client.read(operation, call);
  } catch (error) {
    if ((error as { details?: { status?: number } }).details?.status === 404) return undefined;
    throw error;
  }
}
