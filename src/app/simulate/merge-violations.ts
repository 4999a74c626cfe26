/**
 * World facts the engine cannot break unnoticed, merged into the simulate report: the cluster's
 * own invariant checks, and its VM replacement count against the journal's (exactly once).
 */
import type { SimulatedCluster } from '../../adapters/simulated/index.js';
import type { UpgradeReport, Violation } from '../../core/report.js';
import { vmReplacementsFromJournal } from '../../core/report-nodes.js';
import type { JournalEntry } from '../../ports/index.js';

/**
 * World facts the engine cannot break unnoticed: its VM replacement count must match the world's.
 * `journal`: every run the world file has seen (a canary, then the full run), when there is one.
 */
export function mergeViolations(
  report: UpgradeReport,
  cluster: SimulatedCluster,
  journal?: JournalEntry[],
): Violation[] {
  const violations: Violation[] = [...cluster.violations()];
  const world = cluster.vmReplacements();
  const at = cluster.clock.now();
  for (const node of report.nodes) {
    const seen = world[node.name] ?? 0;
    if (seen > 1)
      violations.push({
        invariant: 'exactly-once-after-crash',
        at,
        message: `${node.name}: its VM was replaced ${seen} times (exactly once is the rule)`,
      });
    const journaled =
      journal === undefined ? node.vmReplacements : vmReplacementsFromJournal(journal, node.name);
    if (seen !== journaled) {
      violations.push({
        invariant: 'exactly-once-after-crash',
        at,
        message: `${node.name}: the journal records ${journaled} VM replacement(s), the world saw ${seen}`,
      });
    }
  }
  return violations;
}
