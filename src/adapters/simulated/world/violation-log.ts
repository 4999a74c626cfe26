/**
 * The world's violation records: a breach is recorded once (the same one at the same moment is
 * not repeated), and a quorum or disruption breach that only a fault striking while Drover's
 * destructive request was already under way caused is excused, not Drover's.
 */
import type { InvariantName } from '../../../core/invariants.js';
import type { Moment, Operation } from '../scenario/fault-timing.js';
import { DESTRUCTIVE } from './scripted-faults.js';
import type { Violation, WorldState } from './state.js';

export class ViolationLog {
  /** Destructive requests under way, by operation and node: when each was asked. */
  private readonly destructiveInFlight: Record<string, number> = {};

  constructor(
    private readonly state: WorldState,
    private readonly changed: () => void,
  ) {}

  record(invariant: InvariantName, message: string, at: number): void {
    const v: Violation = { invariant, at, message };
    if (this.struckAfterCommit(invariant)) {
      (this.state.excused ??= []).push(v);
      this.changed();
      return;
    }
    const last = this.state.violations.at(-1);
    if (last && last.invariant === invariant && last.message === message && last.at === v.at)
      return;
    this.state.violations.push(v);
    this.changed();
  }

  /** A request was reported before or after it acted: keeps the destructive ones under way. */
  requested(operation: Operation, node: string | undefined, moment: Moment, at: number): void {
    if (!DESTRUCTIVE.has(operation)) return;
    const key = `${operation}/${node ?? ''}`;
    if (moment === 'before') this.destructiveInFlight[key] = at;
    else delete this.destructiveInFlight[key];
  }

  /**
   * Quorum and disruption breaches (etcd-quorum, disruption-budget) that only a fault striking while Drover's destructive
   * request was already under way caused: Drover asked when the world allowed it and cannot take
   * back a running apply or upgrade. It must not add to it afterwards (a later request is judged).
   */
  private struckAfterCommit(invariant: InvariantName): boolean {
    if (invariant !== 'etcd-quorum' && invariant !== 'disruption-budget') return false;
    const inFlight = Object.values(this.destructiveInFlight);
    const struck = this.state.lastFaultStrikeAt;
    return inFlight.length > 0 && struck !== undefined && inFlight.every((at) => at <= struck);
  }
}
