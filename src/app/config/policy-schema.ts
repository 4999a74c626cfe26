/**
 * The `policy` section: every field optional, merged over DEFAULT_POLICY, so a config names
 * only what it changes. Unknown keys are errors (a typo must not silently keep a default).
 */
import { z } from 'zod';
import { duration } from './duration.js';

const seconds = (what: string) => duration(what);
const count = (what: string) => z.int().min(1).describe(what);

export const PolicySchema = z
  .strictObject({
    drain: z
      .strictObject({
        gracefulSeconds: seconds(
          'Evictions honour PodDisruptionBudgets for this long before any force',
        ).optional(),
        forceAfterGrace: z
          .boolean()
          .describe('After the graceful window, delete pods whose eviction is still refused')
          .optional(),
        deleteEmptyDirData: z
          .boolean()
          .describe('Evict pods that use emptyDir volumes (their data is lost)')
          .optional(),
        deleteUnmanagedPods: z
          .boolean()
          .describe('Delete pods with no controller (they are not recreated)')
          .optional(),
        podTerminationTimeoutSeconds: seconds(
          'How long evicted pods may take to terminate',
        ).optional(),
      })
      .optional(),
    disruption: z
      .strictObject({
        maxUnavailableWorkers: count(
          'Workers out of service at once, whatever the cause',
        ).optional(),
        maxUnavailableDomains: count(
          'Failure domains (Proxmox hosts or storage domains) with a worker out of service at once',
        ).optional(),
        templateRebuildConcurrency: count('Template rebuilds at once').optional(),
        petsBatchSize: count('Pets: workers upgraded in one batch').optional(),
      })
      .optional(),
    timeouts: z
      .strictObject({
        gateSeconds: seconds('How long a waiting gate is re-checked').optional(),
        nodeReadySeconds: seconds('How long a node may take to become Ready').optional(),
        maintenanceModeSeconds: seconds(
          'How long a fresh VM may take to answer in maintenance mode',
        ).optional(),
        etcdRejoinSeconds: seconds('How long a replaced member may take to rejoin etcd').optional(),
        terraformSeconds: seconds('Limit for one terraform plan or apply').optional(),
        talosUpgradeSeconds: seconds('Limit for one in-place talosctl upgrade').optional(),
        apiServerStablePasses: count(
          'Consecutive ready answers from the API server before workers start',
        ).optional(),
      })
      .optional(),
    retry: z
      .strictObject({
        attempts: count('Attempts for a retryable step').optional(),
        initialBackoffSeconds: seconds('First backoff').optional(),
        maxBackoffSeconds: seconds('Longest backoff').optional(),
      })
      .optional(),
    cephNoout: z.boolean().describe('Set Ceph noout while an OSD node is away').optional(),
  })
  .describe('Overrides of the default policy (drain, disruption, timeouts, retry, Ceph noout)');

export type PolicyOverrides = z.infer<typeof PolicySchema>;
