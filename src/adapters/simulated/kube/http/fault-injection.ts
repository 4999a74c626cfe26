/**
 * The fake API server's injectable faults: N failures on a path prefix, connection resets,
 * slow answers, watches dropped mid-stream or left half-open, an endpoint that is gone. Tests
 * mutate them while the server runs; each request takes at most one of them.
 */
import { statusFailure, type StatusResponse } from './status.js';
import type { WatchHubOptions } from './watch-options.js';

export interface FakeApiFaults {
  /** The next `count` requests whose path starts with `pathPrefix` answer `status`. */
  failNextRequests?: { pathPrefix: string; status: number; count: number }[];
  /** The next `count` matching requests have their connection destroyed without an answer. */
  resetNextRequests?: { pathPrefix: string; count: number }[];
  /** Every answer is delayed this long (real time). */
  slowMs?: number;
  /** Every watch stream is closed by the server after this many events. */
  dropWatchesAfterEvents?: number;
  /** The next `count` watches are half-open: accepted, then nothing, never closed. */
  halfOpenWatches?: number;
  /** Real ms between BOOKMARK events on watches that asked for them (default 60 000). */
  bookmarkEveryMs?: number;
  /**
   * While this answers true the endpoint is gone (the node behind it is being replaced): new
   * connections are dropped and open watches go half-open.
   */
  unreachable?: () => boolean;
}

const REASONS: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** True when the request's connection is to be destroyed without an answer (takes one reset). */
export function dropsConnection(faults: FakeApiFaults, pathname: string): boolean {
  if (faults.unreachable?.()) return true;
  return takeOne(faults.resetNextRequests, pathname) !== undefined;
}

/** The injected failure this request answers with, if one is due (takes it). */
export function injectedFailure(
  faults: FakeApiFaults,
  pathname: string,
): { answer: StatusResponse; headers: Record<string, string> } | undefined {
  const fail = takeOne(faults.failNextRequests, pathname);
  if (!fail) return undefined;
  return {
    answer: statusFailure(fail.status, REASONS[fail.status], 'injected fault'),
    headers: fail.status === 429 ? { 'Retry-After': '1' } : {},
  };
}

/** The watch faults as the watch hub reads them: live, so tests can change them mid-run. */
export function watchFaults(
  faults: FakeApiFaults,
): Pick<WatchHubOptions, 'dropAfterEvents' | 'takeHalfOpen' | 'bookmarkEveryMs' | 'unreachable'> {
  return {
    dropAfterEvents: () => faults.dropWatchesAfterEvents,
    takeHalfOpen: () => {
      if (!faults.halfOpenWatches) return false;
      faults.halfOpenWatches -= 1;
      return true;
    },
    bookmarkEveryMs: () => faults.bookmarkEveryMs ?? 60_000,
    unreachable: () => faults.unreachable?.() ?? false,
  };
}

function takeOne<T extends { pathPrefix: string; count: number }>(
  pending: T[] | undefined,
  pathname: string,
): T | undefined {
  const due = pending?.find((f) => f.count > 0 && pathname.startsWith(f.pathPrefix));
  if (due) due.count -= 1;
  return due;
}
