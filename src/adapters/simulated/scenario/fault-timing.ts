/**
 * When a scripted fault is in force: from/until seconds of simulated time, or keyed to what the
 * cluster is asked to do (`when: { request: replace-vm, node: k8s-work-2, moment: before }`),
 * never to the engine's step names. Every simulated port operation reports its requests to the
 * world (world/request-reporting.ts); a `when` fault fires once, on the first matching request.
 *
 * A fault type adopts this block by spreading `faultTiming` into its schema:
 *   z.strictObject({ type: z.literal('my-fault'), node: z.string(), ...faultTiming })
 * The world then tracks it: `world.hasFault('my-fault', match)` is true only while it is in
 * force, and `registerFaultEffect('my-fault', (world, fault, on) => ...)` (world.ts; machines.ts
 * registers the built-in ones) runs a one-off change when it starts and ends. Its fields are
 * validated in cross-check.ts.
 */
import { z } from 'zod';

/** What the cluster can be asked to do: the operations the simulated ports and fake API report. */
export const OPERATIONS = [
  'rebuild-template',
  'replace-vm',
  'terraform-plan',
  'backup-state',
  'apply-config',
  'talos-upgrade',
  'k8s-upgrade',
  'cordon',
  'uncordon',
  /** Evictions and deletions of the node's pods, until they are gone (the drain as a whole). */
  'drain',
  'evict',
  'etcd-leave',
  'etcd-remove-member',
  'etcd-status',
  'storage-noout-set',
  'storage-noout-unset',
  /** A probe of the node's Talos API (maintenance mode or configured). */
  'wait-maintenance',
  /** Not a request: the node's kubelet registering after boot (step-fails only). */
  'wait-ready',
] as const;
export type Operation = (typeof OPERATIONS)[number];

export const MOMENTS = ['before', 'after'] as const;
export type Moment = (typeof MOMENTS)[number];

const seconds = z.number().nonnegative();

export const whenSchema = z.strictObject({
  request: z.enum(OPERATIONS),
  /** The node the request is about; any node when absent. */
  node: z.string().optional(),
  /** Before the operation acts, or once it returned (successfully or not). */
  moment: z.enum(MOMENTS).default('before'),
  /** Fire this long after the request (e.g. in the middle of a Terraform apply). */
  delaySeconds: seconds.default(0),
  /** Stay in force this long once fired; to the end of the run when absent. */
  forSeconds: seconds.optional(),
});
export type FaultWhen = z.output<typeof whenSchema>;

/** Spread into a fault's schema to make it timed (see the module comment). */
export const faultTiming = {
  /** In force from this many seconds after the simulation began (default 0 without `when`). */
  fromSeconds: seconds.optional(),
  untilSeconds: seconds.optional(),
  when: whenSchema.optional(),
};

export interface FaultTiming {
  fromSeconds?: number | undefined;
  untilSeconds?: number | undefined;
  when?: FaultWhen | undefined;
}

/** Timing problems the schema cannot express, by path inside the fault (for cross-check.ts). */
export function timingProblems(timing: FaultTiming): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const { fromSeconds, untilSeconds, when } = timing;
  if (when && (fromSeconds !== undefined || untilSeconds !== undefined))
    problems.push({
      path: ['when'],
      message:
        'a fault is timed either by when or by fromSeconds/untilSeconds, not both (use when.delaySeconds and when.forSeconds)',
    });
  if (untilSeconds !== undefined && untilSeconds <= (fromSeconds ?? 0))
    problems.push({
      path: ['untilSeconds'],
      message: `${untilSeconds} is not after fromSeconds (${fromSeconds ?? 0})`,
    });
  return problems;
}
