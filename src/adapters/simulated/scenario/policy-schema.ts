/** The `policy` section of a scenario: overrides of Drover's policy, as in drover.yaml. */
import { z } from 'zod';
import { seconds } from './fields.js';

/** Policy overrides, merged over DEFAULT_POLICY section by section. */
export const policySchema = z.strictObject({
  drain: z
    .strictObject({
      gracefulSeconds: seconds,
      forceAfterGrace: z.boolean(),
      deleteEmptyDirData: z.boolean(),
      deleteUnmanagedPods: z.boolean(),
      podTerminationTimeoutSeconds: seconds,
    })
    .partial()
    .optional(),
  disruption: z
    .strictObject({
      maxUnavailableWorkers: z.number().int().positive(),
      maxUnavailableDomains: z.number().int().positive(),
      templateRebuildConcurrency: z.number().int().positive(),
      petsBatchSize: z.number().int().positive(),
    })
    .partial()
    .optional(),
  timeouts: z
    .strictObject({
      gateSeconds: seconds,
      nodeReadySeconds: seconds,
      maintenanceModeSeconds: seconds,
      etcdRejoinSeconds: seconds,
      terraformSeconds: seconds,
      talosUpgradeSeconds: seconds,
      apiServerStablePasses: z.number().int().positive(),
    })
    .partial()
    .optional(),
  retry: z
    .strictObject({
      attempts: z.number().int().positive(),
      initialBackoffSeconds: seconds,
      maxBackoffSeconds: seconds,
    })
    .partial()
    .optional(),
  cephNoout: z.boolean().optional(),
});
