/**
 * Template rebuilds in batches. The state allows one operation at a time, so rebuilds that each
 * took the state mutex for their own plan and apply ran one after another whatever the policy
 * said. Terraform replaces several templates in one plan/apply and the hosts build them at once,
 * so a batch (at most templateRebuildConcurrency templates) is ONE state operation: one verified
 * backup, one plan replacing every template of the batch still not at the version, a scope check
 * against exactly those, one apply.
 *
 * Each step of the batch still runs as its own step (own journal entries, own live check): its
 * handler either leaves the batch (template already built, or it failed before deciding) or
 * joins it and waits. Once every member has decided, the operation runs for those who joined.
 */
import { StepBatches } from './step-batches.js';
import { DroverError } from '../../core/errors.js';
import type { PlanStep } from '../../core/plan.js';
import type { RunState, StepContext } from '../context.js';
import { withRetry } from '../retry.js';
import { isInside } from '../../core/terraform-address.js';
import { assertPlanScope } from '../scope-check.js';
import type { InfrastructurePlan } from '../../ports/infrastructure.js';
import { ensureFreshBackup, noteStateChange } from '../state-backup.js';

interface Member {
  ctx: StepContext;
  address: string;
  version: string;
}

export class TemplateBatch {
  private readonly undecided: Set<string>;
  private readonly joined = new Map<string, Member>();
  private started = false;
  private settle!: { resolve: (ids: TemplateVmIds) => void; reject: (error: unknown) => void };
  private readonly done: Promise<TemplateVmIds>;

  constructor(
    private readonly run: RunState,
    readonly steps: readonly PlanStep[],
  ) {
    this.undecided = new Set(steps.map((s) => s.id));
    this.done = new Promise<TemplateVmIds>(
      (resolve, reject) => (this.settle = { resolve, reject }),
    );
    // Members await it; with none joined nobody does, and that is no unhandled rejection.
    this.done.catch(() => undefined);
  }

  /** The member's template needs rebuilding: resolves once the batch's one apply is through. */
  rebuild(ctx: StepContext, address: string, version: string): Promise<TemplateVmIds> {
    if (!this.undecided.has(ctx.step.id))
      throw new Error(`step ${ctx.step.id} is not an undecided member of this template batch`);
    this.joined.set(ctx.step.id, { ctx, address, version });
    this.decided(ctx.step.id);
    return this.done;
  }

  /** The member will not join (already built, or failed before deciding); idempotent. */
  leave(stepId: string): void {
    if (this.undecided.has(stepId)) this.decided(stepId);
  }

  private decided(stepId: string): void {
    this.undecided.delete(stepId);
    if (this.undecided.size > 0 || this.joined.size === 0 || this.started) return;
    this.started = true;
    const members = this.steps.flatMap((s) => this.joined.get(s.id) ?? []);
    replaceTemplates(this.run, members).then(this.settle.resolve, this.settle.reject);
  }
}

/** Each rebuilt template's VM ID before and after the batch's apply (bpg: the VMID). */
export type TemplateVmIds = Record<
  string,
  { before: string | undefined; after: string | undefined }
>;

/** The one state operation of a batch, retried as a whole per policy.retry. */
async function replaceTemplates(run: RunState, members: Member[]): Promise<TemplateVmIds> {
  const ids: TemplateVmIds = {};
  // The audit and the backup go under the batch's first step.
  const ctx = (members[0] as Member).ctx;
  const infra = run.ports.infrastructure;
  const signal = run.signal;
  const addresses = members.map((m) => m.address);
  await withRetry(
    () =>
      run.stateMutex.runExclusive(async () => {
        const once = { retry: false };
        // A retry after an apply that half went through rebuilds only what is still missing.
        const todo: string[] = [];
        for (const m of members)
          if ((await infra.templateVersion(m.address, signal)) !== m.version) todo.push(m.address);
        if (todo.length === 0) return;
        const before = await infra.resourceIds(todo, signal);
        for (const a of todo) ids[a] = { before: ids[a]?.before ?? before[a], after: undefined };
        await ensureFreshBackup(ctx, backupLabel(todo));
        const plan = await ctx.call(
          'infrastructure.plan',
          { replace: todo },
          () => infra.plan({ replace: todo, replaceOnly: 'all', ...(signal ? { signal } : {}) }),
          once,
        );
        const what = todo.length === 1 ? `template ${todo[0]}` : `templates ${todo.join(', ')}`;
        assertPlanScope(plan, todo, what);
        assertEveryRecreated(plan, todo, what);
        await ctx.call(
          'infrastructure.apply',
          { plan: plan.id, changes: plan.changes.map((c) => c.address) },
          // Never the run's abort signal: an apply killed half-way leaves templates destroyed and
          // not rebuilt. It finishes within its own timeout; the run stops after (invariant run-to-completion).
          () => {
            noteStateChange(run);
            return infra.apply(plan);
          },
          once,
        );
        const after = await infra.resourceIds(todo, signal);
        for (const a of todo) ids[a] = { before: ids[a]?.before, after: after[a] };
      }),
    {
      clock: run.ports.clock,
      retry: run.policy.retry,
      ...(signal ? { signal } : {}),
      onRetry: (error, attempt) =>
        run.log(
          'warn',
          `rebuilding ${addresses.join(', ')} failed (attempt ${attempt}), retrying: ${(error as Error).message}`,
        ),
    },
  );
  return ids;
}

const backupLabel = (addresses: string[]): string =>
  addresses.map((a) => a.replace(/[^A-Za-z0-9_.-]+/g, '_')).join('--');

/** assertPlanScope wants one creation in the batch; every template of it must be recreated. */
function assertEveryRecreated(plan: InfrastructurePlan, addresses: string[], what: string): void {
  const missing = addresses.filter(
    (a) => !plan.changes.some((c) => c.actions.includes('create') && isInside(c.address, a)),
  );
  if (missing.length === 0) return;
  throw new DroverError(
    'failed',
    'PLAN_NO_REPLACEMENT',
    `the Terraform plan for ${what} recreates nothing for ${missing.join(', ')}`,
    {
      hint: 'Nothing was applied. Check the template addresses in the config match the state.',
      details: { missing, changes: plan.changes.map((c) => c.address) },
    },
  );
}

/** Batches run-phase opened, by run and step id; a step run on its own is a batch of one. */
const openBatches = new StepBatches<TemplateBatch>();

export function openTemplateBatch(run: RunState, steps: readonly PlanStep[]): TemplateBatch {
  return openBatches.open(
    run,
    steps.map((s) => s.id),
    new TemplateBatch(run, steps),
  );
}

export function closeTemplateBatch(run: RunState, batch: TemplateBatch): void {
  for (const s of batch.steps) openBatches.forget(run, s.id, batch);
}

export function templateBatchOf(ctx: StepContext): TemplateBatch {
  return openBatches.of(ctx.run, ctx.step.id) ?? new TemplateBatch(ctx.run, [ctx.step]);
}
