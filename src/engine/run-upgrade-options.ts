/** What a caller (the upgrade and simulate use cases, engine tests) hands runUpgrade. */
import type { StepDurations } from '../core/durations.js';
import type { Inventory } from '../core/inventory.js';
import type { MaintenancePolicy } from '../core/maintenance-window-grammar.js';
import type { Plan } from '../core/plan.js';
import type { Redactor } from '../core/redact.js';
import type { Ports } from '../ports/index.js';
import type { JournalEntry } from '../ports/journal.js';
import type { AuditRecord, CustomCheck } from './context.js';

export interface RunUpgradeOptions {
  plan: Plan;
  inventory: Inventory;
  ports: Ports;
  durations: StepDurations;
  runId: string;
  holderIdentity: string;
  resume: boolean;
  dryRun?: boolean;
  signal?: AbortSignal;
  redactor: Redactor;
  afterStep?: (entry: JournalEntry) => void | Promise<void>;
  /** Receives every port action with its (redacted) inputs: the audit log. */
  audit?: (record: AuditRecord) => void;
  /** Custom gates by name (`custom:<name>` in plans); see RunState.customChecks. */
  customChecks?: Record<string, CustomCheck>;
  /** What the journal is bound to (hashes of cluster, config, plan), recorded in run-started. */
  binding?: Record<string, string>;
  /** A checker watches the invariants (simulate): the report may then say "none violated". */
  invariantsObserved?: boolean;
  /** Lease TTL; renewed every third of it. */
  lockTtlSeconds?: number;
  /** Maintenance windows (window-gate.ts); none: the run may act at any time. */
  maintenance?: MaintenancePolicy;
  /** Why installer images are not looked up (preflight.installerImages: skip); said in the report. */
  installerImagesSkipped?: string;
}
