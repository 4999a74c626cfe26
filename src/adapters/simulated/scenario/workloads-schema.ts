/** The `workloads` section of a scenario: what runs on the cluster, and what a lived-in one left. */
import { z } from 'zod';
import { name, quantity } from './fields.js';

/** A PDB bound as Kubernetes takes it: an integer, or a percentage from 0% to 100%. */
const intOrPercent = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^(100|[1-9]?[0-9])%$/, 'must be an integer or a percentage from 0% to 100%'),
]);

const pdbSchema = z.union([
  z.strictObject({ minAvailable: intOrPercent }),
  z.strictObject({ maxUnavailable: intOrPercent }),
]);

/** Pods of one workload the simulated cluster holds (its controllers are not built for more). */
export const MAX_REPLICAS = 200;
const replicas = z.number().int().min(0).max(MAX_REPLICAS);

const placement = z.enum(['workers', 'all', 'controlplane', 'osd', 'gpu']);

const deploymentSchema = z.strictObject({
  namespace: name.default('default'),
  name,
  replicas,
  pdb: pdbSchema.optional(),
  /** Replicas must run on different nodes (required pod anti-affinity). */
  spreadAcrossNodes: z.boolean().default(false),
  on: placement.default('workers'),
  emptyDir: z.boolean().default(false),
  terminationGracePeriodSeconds: z.number().int().nonnegative().optional(),
  /** Each pod's requests (Kubernetes quantities, e.g. cpu 500m, memory 1Gi); none by default. */
  requests: z.strictObject({ cpu: quantity, memory: quantity }).optional(),
});

const daemonSetSchema = z.strictObject({
  namespace: name.default('default'),
  name,
  on: placement.default('all'),
});

const helmReleaseSchema = z.strictObject({
  namespace: name.default('flux-system'),
  name,
  ready: z.boolean().default(true),
});

/** What a lived-in cluster carries that no check covers (world/lived-in.ts, docs/scenarios.md). */
const leftoversSchema = z.strictObject({
  /** CronJobs, each with its finished Job pods kept as history (phase Succeeded). */
  cronJobs: z
    .array(
      z.strictObject({
        namespace: name.default('default'),
        name,
        history: z.number().int().min(0).max(10).default(3),
      }),
    )
    .default([]),
  /** Bare pods (no controller) that ran to completion: phase Succeeded. */
  finishedBarePods: z.number().int().min(0).max(50).default(0),
  /** Pods the kubelet evicted (phase Failed, reason Evicted), left by the first Deployment. */
  evictedPods: z.number().int().min(0).max(50).default(0),
  /** Jobs whose pod crash-loops for good: phase Running, Ready=False, CrashLoopBackOff. */
  crashLoopingJobs: z
    .array(z.strictObject({ namespace: name.default('default'), name }))
    .default([]),
});

export const workloadsSchema = z
  .strictObject({
    coredns: z.strictObject({ replicas }).default({ replicas: 2 }),
    deployments: z.array(deploymentSchema).default([]),
    statefulsets: z.array(deploymentSchema).default([]),
    daemonsets: z.array(daemonSetSchema).default([]),
    helmReleases: z.array(helmReleaseSchema).default([]),
    leftovers: leftoversSchema.optional(),
  })
  .default({
    coredns: { replicas: 2 },
    deployments: [],
    statefulsets: [],
    daemonsets: [],
    helmReleases: [],
  });
