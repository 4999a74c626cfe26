/**
 * The world's timed events: kept in world state (`pending`, so a saved world re-arms them) and
 * armed on the virtual clock; each fires once, leaving `pending`, and goes to its type's handler.
 */
import type { VirtualClock } from '../virtual-clock.js';
import type { WorldEvent, WorldState } from './state.js';
import type { WorldEventHandler } from './world-types.js';

export class TimedEvents {
  private readonly handlers = new Map<string, WorldEventHandler>();
  private readonly cancels = new Map<number, () => void>();

  constructor(
    private readonly state: WorldState,
    private readonly clock: VirtualClock,
    /** An event fired (it has left `pending`): the world runs its handler. */
    private readonly fired: (event: WorldEvent, handler: WorldEventHandler | undefined) => void,
  ) {}

  on(type: WorldEvent['type'], handler: WorldEventHandler): void {
    this.handlers.set(type, handler);
  }

  /** Keeps the event in world state; arms it now when the world has started. */
  add(event: WorldEvent, arm: boolean): void {
    this.state.pending.push(event);
    if (arm) this.arm(event);
  }

  /** Arms every persisted event, in the order they fire. */
  armAll(): void {
    for (const event of [...this.state.pending].sort((a, b) => a.at - b.at || a.seq - b.seq))
      this.arm(event);
  }

  cancelAll(): void {
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
  }

  private arm(event: WorldEvent): void {
    const cancel = this.clock.schedule(event.at, () => this.fire(event));
    this.cancels.set(event.seq, cancel);
  }

  private fire(event: WorldEvent): void {
    this.cancels.delete(event.seq);
    const i = this.state.pending.findIndex((e) => e.seq === event.seq);
    if (i >= 0) this.state.pending.splice(i, 1);
    this.fired(event, this.handlers.get(event.type));
  }
}
