/**
 * Test clock for engine unit tests: virtual time that jumps to the next timer once the
 * microtask queue has drained (a few setImmediate turns), one timer per jump.
 */
import type { Clock } from '../../ports/clock.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];
  private scheduled = false;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const timer: Timer = {
        at: this.current + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.kick();
    });
  }

  private kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const turns = (n: number) =>
      setImmediate(() => {
        if (n > 0) return turns(n - 1);
        this.scheduled = false;
        this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = this.timers.shift();
        if (!next) return;
        this.current = Math.max(this.current, next.at);
        next.fire();
        if (this.timers.length > 0) this.kick();
      });
    turns(3);
  }
}
