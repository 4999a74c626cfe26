/**
 * The invariants by name, in the order of the table in docs/architecture.md ("Invariants, by
 * name"). The twin's checker records a breach under one of these names; the report prints it.
 * `run-to-completion` is the abort rule that older texts numbered together with noout-while-away.
 */
export const INVARIANT_NAMES = [
  'etcd-quorum',
  'backup-before-destroy',
  'scoped-terraform',
  'disruption-budget',
  'uncordon-when-done',
  'drain-honours-pdbs',
  'single-lease-holder',
  'no-secret-leaks',
  'exactly-once-after-crash',
  'recheck-before-act',
  'evidence-of-change',
  'noout-while-away',
  'run-to-completion',
  'installer-images-first',
  'one-set-of-refusals',
] as const;
export type InvariantName = (typeof INVARIANT_NAMES)[number];
