/** A Clock for adapter tests against the fake API server: time moves only when the test says so. */
import type { Clock } from '../../src/ports/clock.js';

export class ManualClock implements Clock {
  private current = Date.UTC(2026, 0, 1);
  private timers: { at: number; fire: () => void }[] = [];
  now(): number {
    return this.current;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const timer = { at: this.current + ms, fire: resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((t) => t !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
  get pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    this.current += ms;
    const due = this.timers.filter((t) => t.at <= this.current);
    this.timers = this.timers.filter((t) => t.at > this.current);
    for (const t of due) t.fire();
  }
}
