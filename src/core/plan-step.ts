/**
 * What each step action takes, written once: the zod schema below is both the check a plan
 * from outside the process must pass (plan-check.ts) and, through z.infer, the PlanStep type the
 * builders and the engine's handlers use. A step is a union on `action`, so a `replace-vm`
 * without addresses does not type-check, and no handler reads a parameter its action lacks.
 *
 * Parameters are strict: one this version does not know is refused, not ignored, because a
 * handler that ignored it would do something other than what the plan says.
 */
import { z } from 'zod';
import type { StepAction } from './plan.js';

const text = z.string().min(1);
const version = text;
/** A list an empty value of would make the step a no-op that looks like success. */
const nonEmpty = z
  .array(text)
  .min(1)
  .refine((list): list is [string, ...string[]] => list.length > 0);
const count = z.number().int().positive();
const none = z.strictObject({});

function step<A extends StepAction, P extends z.ZodType>(action: A, params: P) {
  return z.object({
    /**
     * Unique within the plan and stable across rebuilds of it (the journal keys on it):
     * `<node>/<action>`, `cluster/<action>[/<n>]`, `template/<address>`, `…@<hop>` (plan-hops.ts).
     */
    id: text,
    action: z.literal(action),
    /** The node the step acts on; absent for cluster-wide steps. */
    node: text.optional(),
    params,
    /** One-line human description. */
    title: z.string(),
  });
}

export const planStepSchema = z.discriminatedUnion('action', [
  // build the new template, then retire the old
  step('rebuild-template', z.strictObject({ address: text, flavor: text, host: text, version })),
  step('verify-templates', z.strictObject({ addresses: z.array(text).min(1), version })),
  // every other member answers healthy; quorum kept without `excluding`
  step('gate-etcd', z.strictObject({ excluding: text.optional() })),
  // the API server ready for `passes` consecutive reads
  step('gate-api-stable', z.strictObject({ passes: count })),
  // pre-drain gates: coredns, ceph, custom:<name>
  step('gate-health', z.strictObject({ checks: z.array(text).min(1) })),
  // Ceph noout while an OSD node of `domain` is away
  step('storage-noout-set', z.strictObject({ domain: text })),
  step('storage-noout-unset', z.strictObject({ domain: text })),
  step('cordon', none),
  // policy.drain applies
  step('drain', none),
  // terraform state pulled, stored, read back, compared
  step('backup-state', none),
  // control plane: plan + scope check before etcd-leave
  step('check-replace-plan', z.strictObject({ addresses: nonEmpty })),
  // the node leaves etcd before its VM is destroyed
  step('etcd-leave', none),
  // plan -replace of exactly these addresses, scope check, apply
  step('replace-vm', z.strictObject({ addresses: nonEmpty })),
  // the fresh VM answers insecurely in maintenance mode at `address`
  step('wait-maintenance', z.strictObject({ address: text })),
  // machine config + patches, idempotent
  step('apply-config', z.strictObject({ address: text, patches: z.array(text) })),
  // pets: in-place upgrade
  step('talos-upgrade', z.strictObject({ image: text, version })),
  // node Ready (cordoned is still Ready)
  step('wait-ready', none),
  // the node reports the target versions
  step('verify-version', z.strictObject({ talos: version, kubelet: version.optional() })),
  // the replacement member healthy, the member count back
  step('wait-etcd-rejoin', z.strictObject({ expectedMembers: count })),
  // GPU label present and allocatable GPUs >= 1
  step('wait-gpu', none),
  step('uncordon', none),
  // deployments available, Ceph healthy
  step('post-checks', z.strictObject({ checks: z.array(text).min(1) })),
  // talosctl upgrade-k8s, one hop
  step('k8s-upgrade', z.strictObject({ to: version, dryRun: z.boolean() })),
  // targetNodes: a selected run checks only these at the target
  step(
    'validate-cluster',
    z.strictObject({
      talos: version,
      kubernetes: version.optional(),
      expectedNodes: z.array(text).min(1),
      targetNodes: z.array(text).optional(),
    }),
  ),
]);

export type PlanStep = z.infer<typeof planStepSchema>;
type StepByAction = { [K in StepAction]: Extract<PlanStep, { action: K }> };
/** The step of one action (of any of several, when `A` is a union). */
export type StepOf<A extends StepAction> = StepByAction[A];
/** Each action's params, keyed by action. */
export type ParamsByAction = { [K in StepAction]: StepByAction[K]['params'] };
export type StepParams<A extends StepAction> = ParamsByAction[A];
/** Actions whose step takes no parameters. */
export type ParamlessAction = {
  [A in StepAction]: Record<string, never> extends StepParams<A> ? A : never;
}[StepAction];

// The schema covers exactly the actions of plan.ts: one missing or extra does not compile.
type Missing = Exclude<StepAction, PlanStep['action']>;
type Extra = Exclude<PlanStep['action'], StepAction>;
export const stepSchemaCoversEveryAction: [Missing, Extra] extends [never, never] ? true : never =
  true;

/** A step id that names its action: `<node>/<action>`, `cluster/<action>/<n>`, `...@<hop>`. */
export type StepIdOf<A extends StepAction> =
  `${string}/${A}` | `${string}/${A}@${string}` | `${string}/${A}/${string}`;

/**
 * The step `id`, typed by the action its id names: it is returned only when its action is that
 * one, so code (and tests) that look a step up by id get its params.
 */
export function findStep<A extends StepAction>(
  steps: readonly PlanStep[],
  id: StepIdOf<A>,
): StepOf<A> | undefined {
  const names = (step: PlanStep) =>
    step.id.split('/').some((part) => part.replace(/@.*$/, '') === step.action);
  return steps.find((s): s is StepOf<A> => s.id === id && names(s));
}
