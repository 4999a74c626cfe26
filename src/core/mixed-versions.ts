/**
 * Whether a run leaves the cluster at mixed Talos versions (some nodes at the target, some not):
 * a selected run does so on purpose, a stopped one by accident. Pure, from the journal: the
 * final validation's live read when it ran, else the nodes whose cycle this run finished.
 */
import type { Inventory } from './inventory.js';
import type { Plan } from './plan.js';
import type { ReportJournalEntry } from './report.js';

export interface MixedVersions {
  /** The Talos version some nodes run now. */
  target: string;
  atTarget: string[];
  notAtTarget: string[];
  /** `live`: read by the final validation; `journal`: only the nodes this run finished are known at the target. */
  source: 'live' | 'journal';
}

const DONE = new Set(['succeeded', 'skipped']);

export function mixedVersionsOf(
  plan: Plan,
  inventory: Inventory,
  entries: ReportJournalEntry[],
): MixedVersions | null {
  if (plan.kind === 'kubernetes') return null;
  const names = inventory.nodes.map((n) => n.name);
  const validation = [...entries]
    .reverse()
    .find(
      (e) =>
        e.type === 'step-finished' && e.action === 'validate-cluster' && e.outcome === 'succeeded',
    );
  const live = validation?.data?.notAtTarget;
  let atTarget: string[];
  let source: MixedVersions['source'];
  if (Array.isArray(live)) {
    atTarget = names.filter((n) => !live.includes(n));
    source = 'live';
  } else {
    const finished = (stepId: string) =>
      entries.some(
        (e) => e.type === 'step-finished' && e.stepId === stepId && DONE.has(e.outcome ?? ''),
      );
    const units = plan.phases.flatMap((p) => p.units);
    atTarget = names.filter((n) => {
      const unit = units.find((u) => u.node === n);
      return unit !== undefined && unit.steps.every((s) => finished(s.id));
    });
    source = 'journal';
  }
  const notAtTarget = names.filter((n) => !atTarget.includes(n));
  if (atTarget.length === 0 || notAtTarget.length === 0) return null;
  return { target: plan.to, atTarget, notAtTarget, source };
}

/** One Markdown line for the report and `drover status`. */
export function mixedVersionsLine(mixed: MixedVersions): string {
  const behind = mixed.notAtTarget;
  const shown =
    behind.length > 8
      ? `${behind.slice(0, 8).join(', ')} and ${behind.length - 8} more`
      : behind.join(', ');
  return `**Mixed versions:** the cluster is left at mixed Talos versions: ${mixed.atTarget.length} of ${mixed.atTarget.length + behind.length} nodes run ${mixed.target}; not yet: ${shown}.`;
}
