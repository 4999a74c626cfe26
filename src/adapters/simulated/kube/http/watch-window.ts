/**
 * The event history a watch can resume from, per resource, as kube-apiserver's watch cache keeps
 * it (kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go at
 * 00f3bd44): a window of 100 events at first; full, it doubles (up to 102,400) while its oldest
 * event is younger than 75 s (eventFreshDuration), halves (down to 100) once the newest quarter
 * is older than that, and otherwise drops its oldest event. A watch from a resourceVersion older
 * than the window is 410 Gone, "too old resource version: RV (OLDEST-1)"; until the first event
 * is dropped, the window reaches back to the version the cache was listed at.
 */
import type { StoreEvent } from '../store.js';

const LOWER_BOUND_CAPACITY = 100;
const UPPER_BOUND_CAPACITY = 100 * 1024;
const EVENT_FRESH_MS = 75_000;

interface Recorded {
  event: StoreEvent;
  at: number;
}

export class WatchWindow {
  private events: Recorded[] = [];
  private capacity = LOWER_BOUND_CAPACITY;
  private removedSinceList = false;

  constructor(
    /** The store's resourceVersion when the cache listed it (the server started). */
    private readonly listVersion: number,
    private readonly now: () => number,
  ) {}

  add(event: StoreEvent): void {
    const at = this.now();
    const full = this.events.length >= this.capacity;
    if (full && at - (this.events[0]?.at ?? at) < EVENT_FRESH_MS)
      this.capacity = Math.min(this.capacity * 2, UPPER_BOUND_CAPACITY);
    else if (full) {
      const quarter = this.events[this.events.length - Math.floor(this.capacity / 4)];
      if (quarter !== undefined && at - quarter.at > EVENT_FRESH_MS) {
        this.capacity = Math.max(Math.floor(this.capacity / 2), LOWER_BOUND_CAPACITY);
        if (this.events.length > this.capacity) {
          this.events = this.events.slice(this.events.length - this.capacity);
          this.removedSinceList = true;
        }
      }
    }
    if (this.events.length >= this.capacity) {
      this.events.shift();
      this.removedSinceList = true;
    }
    this.events.push({ event, at });
  }

  /** Events after `version`, or the oldest version still served when it is too old (410). */
  since(version: number): StoreEvent[] | { tooOld: number } {
    const oldest = !this.removedSinceList
      ? this.listVersion + 1
      : (this.events[0]?.event.resourceVersion ?? this.listVersion + 1);
    if (version < oldest - 1) return { tooOld: oldest - 1 };
    return this.events.filter((r) => r.event.resourceVersion > version).map((r) => r.event);
  }
}
