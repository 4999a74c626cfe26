/**
 * Faults that test the engine's own rules (lease, invariant single-lease-holder). Added to the scenario's fault
 * union in faults-schema.ts; planted by world/engine-faults.ts.
 */
import { z } from 'zod';

/**
 * The upgrade lease is held by another runner that died: its record never changes again. Its
 * renewTime is the world's start minus `renewedSecondsAgo` (0: it looks freshly renewed, which
 * proves nothing to a runner that just looked). A correct run waits a whole leaseDurationSeconds
 * on its own clock, then takes over.
 */
export const leaseHeldByDeadRunner = z.strictObject({
  type: z.literal('lease-held-by-dead-runner'),
  holder: z.string().min(1).default('drover/other-host/crashed-run/0badc0ffee00'),
  renewedSecondsAgo: z.number().nonnegative().default(0),
  leaseDurationSeconds: z.number().int().positive().default(300),
});

/**
 * A second runner of the same cluster whose clock is off by `skewSeconds` (+/-): from
 * `fromSeconds` it contends for the upgrade lease the way client-go's leader election does
 * (takes a free lease; takes a held one only once the record went unchanged for its
 * leaseDurationSeconds on its own clock), holds it for `holdSeconds` renewing every
 * `renewEverySeconds`, then releases it. Every time it writes is on its own clock, so its
 * renewTime looks stale (skew < 0) or from the future (skew > 0) to anyone comparing clocks.
 * A correct run never steals its live lease and never acts while it holds it.
 */
export const skewedRunner = z.strictObject({
  type: z.literal('skewed-runner'),
  holder: z.string().min(1).default('drover/other-host/skewed-run/5ca1ab1e0000'),
  skewSeconds: z.number().int().min(-86_400).max(86_400),
  fromSeconds: z.number().nonnegative().default(0),
  holdSeconds: z.number().positive().default(1200),
  leaseDurationSeconds: z.number().int().positive().default(300),
  renewEverySeconds: z.number().positive().default(10),
});
