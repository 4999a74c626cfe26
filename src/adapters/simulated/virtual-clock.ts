/**
 * A discrete-event clock: hours of simulated time pass in milliseconds of real time.
 *
 * Timers sit in a priority queue ordered by (due time, insertion order). Time jumps to the next
 * timer only when the process is idle: several setImmediate turns have passed (so every promise
 * continuation has run) and no real file or socket request is in flight. Exactly one timer fires
 * per jump; the clock then waits for idle again, so a sleeper's continuation (and whatever it
 * schedules) always runs before time moves on. That makes a run deterministic for a given
 * sequence of calls.
 */
import type { Clock } from '../../ports/clock.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

export interface VirtualClockOptions {
  /** Epoch ms the clock starts at. */
  startMs?: number;
  /** The real requests in flight (tests stand in for process.getActiveResourcesInfo). */
  activeRequests?: () => readonly string[];
  /** Overrides MAX_IO_WAIT_MS and MAX_FILE_WAIT_MS (tests keep real waits short). */
  maxIoWaitMs?: number;
  maxFileWaitMs?: number;
}

/** Real request kinds (process.getActiveResourcesInfo) that mean "not idle yet". */
const IN_FLIGHT =
  /^(FSReq|FileHandleCloseReq|CloseReq|GetAddrInfoReqWrap|WriteWrap|ShutdownWrap|ConnectWrap)/;
/** Of those, the file requests: they always complete, however slow a loaded disk makes them. */
const FILE_REQUEST = /^(FSReq|FileHandleCloseReq|CloseReq)/;
/** setImmediate turns with nothing pending before the process counts as idle. */
const IDLE_TURNS = 3;
/**
 * Real milliseconds to wait for in-flight real I/O before time moves anyway (a request that never
 * completes must not freeze virtual time, and with it every deadline).
 */
const MAX_IO_WAIT_MS = 2_000;
/**
 * The same while a file request is in flight (the world file, the journal, the audit log). A
 * busy disk can take seconds; moving time on before the write lands made a run's timings depend
 * on the machine's load (a pets run's verify-version took 93 s instead of 1 s at load 15).
 */
const MAX_FILE_WAIT_MS = 60_000;

export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly heap: Timer[] = [];
  private running = false;
  private stopped = false;
  private readonly activeRequests: () => readonly string[];
  private readonly maxIoWaitMs: number;
  private readonly maxFileWaitMs: number;
  private readonly advanceListeners: (() => void)[] = [];
  private held = 0;

  constructor(options: VirtualClockOptions = {}) {
    this.current = options.startMs ?? Date.UTC(2026, 0, 1);
    this.activeRequests = options.activeRequests ?? (() => process.getActiveResourcesInfo());
    this.maxIoWaitMs = options.maxIoWaitMs ?? MAX_IO_WAIT_MS;
    this.maxFileWaitMs = options.maxFileWaitMs ?? MAX_FILE_WAIT_MS;
  }

  now(): number {
    return this.current;
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.heap.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        cancel();
        reject(abortReason(signal as AbortSignal));
      };
      const cancel = this.schedule(this.current + Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Runs `fire` when the clock reaches `atMs` (now, if in the past). Returns a cancel function. */
  schedule(atMs: number, fire: () => void): () => void {
    const timer: Timer = { at: Math.max(atMs, this.current), seq: this.seq++, fire };
    this.push(timer);
    this.kick();
    return () => this.remove(timer);
  }

  /**
   * Real work this process waits on that the idle test cannot see (a loopback HTTP request
   * between its write and its response): time does not jump while `work` runs, for at most
   * MAX_IO_WAIT_MS real milliseconds per jump, like any request in flight.
   */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    this.held += 1;
    try {
      return await work();
    } finally {
      this.held -= 1;
    }
  }

  /** Called after each timer fired (for persistence of the clock's time). */
  onAdvance(listener: () => void): void {
    this.advanceListeners.push(listener);
  }

  /** Stops advancing for good; pending timers never fire. */
  stop(): void {
    this.stopped = true;
    this.heap.length = 0;
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped && this.heap.length > 0) {
        await this.waitForIdle();
        const next = this.pop();
        if (!next || this.stopped) break;
        const moved = next.at > this.current;
        this.current = Math.max(this.current, next.at);
        next.fire();
        if (moved) for (const listener of this.advanceListeners) listener();
      }
    } finally {
      this.running = false;
    }
  }

  private async waitForIdle(): Promise<void> {
    let quiet = 0;
    let since: number | undefined;
    while (quiet < IDLE_TURNS) {
      await new Promise<void>((r) => setImmediate(r));
      const requests = this.activeRequests().filter((kind) => IN_FLIGHT.test(kind));
      if (this.held === 0 && requests.length === 0) {
        quiet += 1;
        continue;
      }
      quiet = 0;
      since ??= Date.now();
      const fileInFlight = requests.some((kind) => FILE_REQUEST.test(kind));
      if (Date.now() - since > (fileInFlight ? this.maxFileWaitMs : this.maxIoWaitMs)) break;
    }
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i] as Timer, h[parent] as Timer)) break;
      [h[i], h[parent]] = [h[parent] as Timer, h[i] as Timer];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(start: number): void {
    const h = this.heap;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < h.length && before(h[l] as Timer, h[smallest] as Timer)) smallest = l;
      if (r < h.length && before(h[r] as Timer, h[smallest] as Timer)) smallest = r;
      if (smallest === i) return;
      [h[i], h[smallest]] = [h[smallest] as Timer, h[i] as Timer];
      i = smallest;
    }
  }

  private remove(timer: Timer): void {
    const i = this.heap.indexOf(timer);
    if (i < 0) return;
    const last = this.heap.pop() as Timer;
    if (i < this.heap.length) {
      this.heap[i] = last;
      this.siftDown(i);
      // The moved element may also need to go up.
      let j = i;
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (!before(this.heap[j] as Timer, this.heap[parent] as Timer)) break;
        [this.heap[j], this.heap[parent]] = [this.heap[parent] as Timer, this.heap[j] as Timer];
        j = parent;
      }
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}
