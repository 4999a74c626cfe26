/**
 * A plan is checked before anything acts on it: every step of a known action with the params
 * that action needs (plan-step.ts), step ids unique. The engine checks each plan it is handed,
 * so a plan that did not come from this version's builders (a serialized plan, a plan changed
 * by hand or by a bug) is refused with the step and the field named, never run: a `replace-vm`
 * without addresses would otherwise find nothing to replace and count as already replaced.
 */
import { z } from 'zod';
import { DroverError } from './errors.js';
import { PHASE_IDS, UNIT_CONCURRENCY, UPGRADE_KINDS } from './plan.js';
import type { Plan } from './plan.js';
import { assertUniqueStepIds } from './plan-common.js';
import { planStepSchema } from './plan-step.js';

const text = z.string().min(1);
const steps = z.array(planStepSchema);

/** A node's cycle: every step of it acts on that node (handlers act on `step.node`). */
const unitSchema = z.looseObject({ node: text, steps }).superRefine((unit, ctx) => {
  unit.steps.forEach((step, i) => {
    if (step.node !== unit.node)
      ctx.addIssue({
        code: 'custom',
        path: ['steps', i, 'node'],
        message: `the unit of ${unit.node} holds a step for ${step.node ?? 'no node'}`,
      });
  });
});

export const planSchema = z.looseObject({
  schemaVersion: z.literal(1),
  kind: z.enum(UPGRADE_KINDS),
  cluster: text,
  from: text,
  to: text,
  hops: z.array(text),
  phases: z.array(
    z.looseObject({
      id: z.enum(PHASE_IDS),
      title: z.string(),
      steps,
      units: z.array(unitSchema),
      concurrency: z.enum(UNIT_CONCURRENCY),
      hop: text.optional(),
    }),
  ),
  // The policy and the selection are checked where they are made (the config's schema).
  policy: z.record(z.string(), z.unknown()),
  selection: z.record(z.string(), z.unknown()).optional(),
});

type Path = readonly PropertyKey[];

function at(value: unknown, path: Path): unknown {
  let here = value;
  for (const key of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<PropertyKey, unknown>)[key];
  }
  return here;
}

/** `step <id>: <field>` for a problem inside a step, else the path from the plan's root. */
function whereOf(plan: unknown, path: Path): { stepId?: string; field: string } {
  const i = path.findLastIndex((key, n) => key === 'steps' && typeof path[n + 1] === 'number');
  const field = (from: number) => (path.length > from ? path.slice(from).join('.') : 'step');
  if (i < 0) return { field: path.length > 0 ? path.join('.') : 'plan' };
  const step = at(plan, path.slice(0, i + 2));
  const id = step !== null && typeof step === 'object' ? (step as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || id === '') return { field: path.join('.') };
  return { stepId: id, field: field(i + 2) };
}

/** The plan when it is one this version can run; else PLAN_INVALID (exit 2) naming the step and field. */
export function checkPlan(value: unknown): Plan {
  const result = planSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const { stepId, field } = whereOf(value, issue.path);
    const where = stepId === undefined ? field : `step ${stepId}: ${field}`;
    throw new DroverError('input', 'PLAN_INVALID', `plan: ${where}: ${issue.message}`, {
      hint: 'The plan was not made by this version of Drover or was changed since: make it again with `drover plan` (or run `drover upgrade`, which builds its own).',
      details: { ...(stepId === undefined ? {} : { stepId }), field, problem: issue.message },
    });
  }
  // The parsed copy is only the check: the caller keeps its own object (the journal's plan
  // digest is of that one).
  return assertUniqueStepIds(value as Plan);
}
