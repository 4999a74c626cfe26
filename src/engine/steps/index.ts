/** Every plan action's handler; the type makes a missing action a compile error. */
import type { StepAction } from '../../core/plan.js';
import type { StepHandler } from '../context.js';
import {
  gateApiStable,
  gateEtcd,
  gateHealth,
  postChecks,
  validateClusterStep,
  waitEtcdRejoin,
} from './gate-steps.js';
import {
  cordon,
  drain,
  nooutSet,
  nooutUnset,
  uncordon,
  verifyVersion,
  waitGpu,
  waitReady,
} from './node-steps.js';
import { k8sUpgrade, talosUpgrade } from './talos-steps.js';
import { rebuildTemplate, verifyTemplates } from './template-steps.js';
import { applyConfig, backupState, etcdLeave, waitMaintenance } from './vm-steps.js';
import { replaceVm } from './replace-vm.js';
import { checkReplacePlan } from './check-replace-plan.js';

/** Each action's handler, typed for that action's step: a handler under another action's key does not compile. */
export const STEP_HANDLERS: { [A in StepAction]: StepHandler<A> } = {
  'rebuild-template': rebuildTemplate,
  'verify-templates': verifyTemplates,
  'gate-etcd': gateEtcd,
  'gate-api-stable': gateApiStable,
  'gate-health': gateHealth,
  'storage-noout-set': nooutSet,
  'storage-noout-unset': nooutUnset,
  cordon,
  uncordon,
  drain,
  'backup-state': backupState,
  'check-replace-plan': checkReplacePlan,
  'etcd-leave': etcdLeave,
  'replace-vm': replaceVm,
  'wait-maintenance': waitMaintenance,
  'apply-config': applyConfig,
  'talos-upgrade': talosUpgrade,
  'wait-ready': waitReady,
  'verify-version': verifyVersion,
  'wait-etcd-rejoin': waitEtcdRejoin,
  'wait-gpu': waitGpu,
  'post-checks': postChecks,
  'k8s-upgrade': k8sUpgrade,
  'validate-cluster': validateClusterStep,
};

/** Actions after which the node cannot simply be put back in service (undo is no longer safe). */
export function isDestructive(action: StepAction): boolean {
  return STEP_HANDLERS[action].destructive === true;
}
