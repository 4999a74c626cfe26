/** What the fake server's watches are told: their faults, clock and timers (watch.ts). */
export interface WatchHubOptions {
  /** The fault that ends a stream after that many events (mid-wait). */
  dropAfterEvents?: () => number | undefined;
  /** The fault that leaves the next watches half-open; returns true to take one. */
  takeHalfOpen?: () => boolean;
  /** How often a watch that asked for bookmarks gets one (real server: about a minute). */
  bookmarkEveryMs?: () => number;
  /** The endpoint went away: open streams stop delivering and are never closed. */
  unreachable?: () => boolean;
  /** The server's clock: how old the watch cache's events are (real time by default). */
  now?: () => number;
  /**
   * Runs `fire` after `ms` and returns its cancel: the stream's close at timeoutSeconds and its
   * bookmarks. Real timers by default; the simulated cluster passes its virtual clock, so that a
   * watch open for an hour of simulated time is closed and bookmarked as a real server would.
   */
  after?: (ms: number, fire: () => void) => Cancel;
}

export type Cancel = () => void;

/** Real timers: the default outside `drover simulate`. */
export function realTimer(ms: number, fire: () => void): Cancel {
  const t = setTimeout(fire, ms);
  return () => clearTimeout(t);
}
