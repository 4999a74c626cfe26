/**
 * Scenario faults of Kubernetes and Rook as a real cluster misbehaves (docs/scenarios.md):
 * - `workload-crashloop`: a Deployment's (or StatefulSet's) pods crash-loop: they stay phase
 *   Running with Ready=False (CrashLoopBackOff), so its availability drops while no pod phase
 *   changes;
 * - `rook-operator-stopped`: the Rook operator stops; the CephCluster status is no longer
 *   refreshed (its `lastChecked` stops moving) whatever Ceph does meanwhile;
 * - `ceph-warn`: Ceph goes HEALTH_WARN on its own, with a check other than Drover's noout.
 * - `api-endpoint-node`: the kubeconfig points at one control plane node rather than a VIP: while
 *   its machine does not run (replaced), API connections fail and open watches go half-open
 *   (`drover simulate --api http`, where the fake API server stands in for it).
 * The first three are timed (fromSeconds, optional untilSeconds, from the start of the run).
 */
import { z } from 'zod';

const seconds = z.number().nonnegative();

export const kubernetesFaultSchemas = [
  z.strictObject({
    type: z.literal('workload-crashloop'),
    kind: z.enum(['Deployment', 'StatefulSet']).default('Deployment'),
    namespace: z.string().default('default'),
    name: z.string(),
    fromSeconds: seconds.default(0),
    untilSeconds: seconds.optional(),
  }),
  z.strictObject({
    type: z.literal('rook-operator-stopped'),
    fromSeconds: seconds.default(0),
    untilSeconds: seconds.optional(),
  }),
  z.strictObject({
    type: z.literal('ceph-warn'),
    /** The Ceph health check raised (never Drover's own OSD_FLAGS noout). */
    check: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/, 'must be a Ceph health check name like MON_CLOCK_SKEW')
      .default('MON_CLOCK_SKEW'),
    message: z.string().default('clock skew detected on mon.b'),
    fromSeconds: seconds.default(0),
    untilSeconds: seconds.optional(),
  }),
  z.strictObject({
    /** The kubeconfig's server is this control plane node's own address (no VIP). */
    type: z.literal('api-endpoint-node'),
    node: z.string(),
  }),
] as const;
