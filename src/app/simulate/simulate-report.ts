/**
 * What only a simulation reports, beside the upgrade report: the Kubernetes API requests the
 * run made over HTTP (`--api http`). Core's report type knows nothing of it; `simulate --json`
 * prints these fields beside the report's own, where the README and the tests read them.
 */
import type { UpgradeReport } from '../../core/report.js';
import type { ApiRequestStats } from './simulate-ports.js';

export interface SimulateOnlyFields {
  /** Kubernetes API requests per replaced node, when the run went over HTTP (simulate --api http). */
  apiRequestsPerNode?: number;
  /** Those requests by kind (`WATCH nodes`, `GET nodes`, `POST eviction`, ...) and in total. */
  apiRequests?: Record<string, number>;
}

/** The report `drover simulate` returns and prints. */
export type SimulateReport = UpgradeReport & SimulateOnlyFields;

/** With --api http: requests per replaced node, and by kind (watches show as WATCH, not polls). */
export function apiRequestFields(
  report: UpgradeReport,
  stats: ApiRequestStats | undefined,
): SimulateOnlyFields {
  if (stats === undefined) return {};
  const replaced = report.nodes.filter((n) => n.vmReplacements > 0).length || report.nodes.length;
  return {
    apiRequestsPerNode: Math.round((stats.total / Math.max(1, replaced)) * 10) / 10,
    apiRequests: { total: stats.total, ...stats.byKind },
  };
}
