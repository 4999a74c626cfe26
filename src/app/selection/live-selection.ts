/**
 * A selection with `--limit` or `--canary`, against the live cluster: nodes already at the target
 * (Ready, schedulable: the engine's own skip rule) are passed over, so a second `--limit 3` takes
 * the next three and a second `--canary 2` the next two workers. A resumed selected run keeps
 * exactly the nodes it started with (its journal's run-started), so its plan, and the binding
 * the journal checks, do not change however far it got.
 */
import type { Inventory } from '../../core/inventory.js';
import type { Plan } from '../../core/plan.js';
import { selectPlan } from '../../core/selection.js';
import type { SelectionContext } from '../../core/selection.js';
import { latestRunId } from '../../engine/journal-view.js';
import type { NodeView } from '../../ports/kubernetes.js';
import type { JournalStore } from '../../ports/journal.js';

export interface LiveReads {
  listNodes(): Promise<NodeView[]>;
  /** With --resume: the journal whose newest run may be a selected run to continue. */
  journal?: JournalStore;
  resume: boolean;
}

/** `selected`: selectPlan(full, ...) without a context; returned as is when no limit applies. */
export async function selectLive(
  full: Plan,
  selected: Plan,
  inventory: Inventory,
  live: LiveReads,
): Promise<Plan> {
  const requested = selected.selection?.requested;
  if (requested?.limit === undefined && requested?.canary === undefined) return selected;
  return selectPlan(full, inventory, requested, await contextOf(selected, live));
}

async function contextOf(plan: Plan, live: LiveReads): Promise<SelectionContext> {
  if (live.resume && live.journal !== undefined) {
    const entries = await live.journal.readAll();
    const latest = latestRunId(entries);
    const mine = entries.filter((e) => e.runId === latest);
    const started = mine.find((e) => e.type === 'run-started');
    const finished = mine.filter((e) => e.type === 'run-finished').at(-1);
    const nodes = (started?.data?.selection as { nodes?: unknown } | undefined)?.nodes;
    // The run --resume continues (chooseRunId): same kind and target, not finished well.
    if (
      Array.isArray(nodes) &&
      started?.kind === plan.kind &&
      started.to === plan.to &&
      finished?.outcome !== 'succeeded'
    )
      return { pinned: nodes.filter((n): n is string => typeof n === 'string') };
  }
  // Unreadable: no context (the first N); the pre-flight then stops on the unreadable cluster.
  const views = await live.listNodes().catch(() => undefined);
  if (views === undefined) return {};
  return {
    atTarget: views
      .filter((v) => v.talosVersion === plan.to && v.ready === 'True' && !v.unschedulable)
      .map((v) => v.name),
  };
}
