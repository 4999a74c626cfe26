/**
 * The scheduler's wait (run-scheduled.ts) while nothing runs and no pending unit may go: nodes
 * out of service on their own use the disruption budget, the Ceph pools tolerate no more OSD
 * domains down, or the evicted pods would find no room. It waits with backoff per policy.retry
 * and, at the gate deadline, refuses naming what held the units back.
 */
import { DroverError } from '../core/errors.js';
import type { NodeUnit } from '../core/plan.js';
import type { RunState } from './context.js';
import type { HeldBack } from './next-batch.js';
import { nextBackoffMs, pause } from './retry.js';
import { poolBlockedError } from './storage-cap.js';

export class HeldBackWait {
  private since: number | undefined;
  private delay: number;

  constructor(private readonly run: RunState) {
    this.delay = run.policy.retry.initialBackoffSeconds * 1000;
  }

  /** A unit runs: a later wait starts over. */
  reset(): void {
    this.since = undefined;
    this.delay = this.run.policy.retry.initialBackoffSeconds * 1000;
  }

  /** One backoff; throws the refusal once held back for the gate deadline. */
  async wait(held: HeldBack, pending: NodeUnit[]): Promise<void> {
    const { run } = this;
    const { clock } = run.ports;
    const now = clock.now();
    this.since ??= now;
    if (now - this.since >= run.policy.timeouts.gateSeconds * 1000)
      throw heldBackRefusal(run, held, pending);
    run.log(
      'warn',
      held.pools
        ? `waiting: ${held.pools.reason}`
        : held.capacity
          ? `waiting: ${held.capacity.reason}`
          : 'waiting: the disruption budget is used by nodes out of service on their own',
    );
    await pause(clock, this.delay, run.signal);
    this.delay = nextBackoffMs(this.delay, run.policy.retry);
  }
}

function heldBackRefusal(run: RunState, held: HeldBack, pending: NodeUnit[]): DroverError {
  const seconds = run.policy.timeouts.gateSeconds;
  if (held.pools) return poolBlockedError(held.pools, seconds);
  if (held.capacity)
    return new DroverError(
      'refused',
      'CAPACITY_SHORT',
      `no worker may go: ${held.capacity.reason} (waited ${seconds}s)`,
      {
        hint: "Free capacity on the workers staying in service (or lower the pods' requests), then run again with --resume.",
        details: { pending: pending.map((u) => u.node) },
      },
    );
  return new DroverError(
    'refused',
    'DISRUPTION_BUDGET_EXHAUSTED',
    `no worker may go: nodes out of service on their own use the disruption budget (waited ${seconds}s)`,
    {
      hint: 'Bring the NotReady nodes back (or raise policy.disruption), then run again with --resume.',
      details: { pending: pending.map((u) => u.node) },
    },
  );
}
