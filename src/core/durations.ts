/**
 * Nominal step durations in seconds. The simulated cluster takes these as its behaviour (from
 * the scenario, else these defaults) and the lower-bound estimate uses the same numbers.
 * Calibrated to the approved architecture: about 15 minutes per replaced node, VM create and
 * boot dominating; about 5 minutes per in-place upgrade.
 */
import type { StepAction } from './plan.js';

export type StepDurations = Record<StepAction, number>;

export const DEFAULT_STEP_DURATIONS: StepDurations = {
  'rebuild-template': 180,
  'verify-templates': 5,
  'gate-etcd': 5,
  'gate-api-stable': 15,
  'gate-health': 5,
  'storage-noout-set': 2,
  'storage-noout-unset': 2,
  cordon: 1,
  drain: 60,
  'backup-state': 10,
  'etcd-leave': 10,
  'replace-vm': 300,
  'wait-maintenance': 240,
  'apply-config': 20,
  'talos-upgrade': 240,
  'wait-ready': 150,
  'verify-version': 2,
  'wait-etcd-rejoin': 30,
  'wait-gpu': 60,
  uncordon: 1,
  'post-checks': 30,
  'k8s-upgrade': 600,
  'validate-cluster': 30,
};
