/**
 * Faults that test the engine's own rules (lease, invariant 7). Added to the scenario's fault
 * union in schema.ts; planted by world/engine-faults.ts.
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
