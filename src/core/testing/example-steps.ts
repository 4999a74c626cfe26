/** A valid step of every action, for tests that need steps of an action but not particular params. */
import { clusterStep } from '../plan-common.js';
import type { StepAction, StepOf, StepParams } from '../plan.js';
import type { ParamsByAction } from '../plan-step.js';

export const EXAMPLE_PARAMS: ParamsByAction = {
  'rebuild-template': {
    address: 'module.template_a',
    flavor: 'base',
    host: 'a',
    version: '1.11.0',
  },
  'verify-templates': { addresses: ['module.template_a'], version: '1.11.0' },
  'gate-etcd': { excluding: 'n' },
  'gate-api-stable': { passes: 3 },
  'gate-health': { checks: ['coredns'] },
  'storage-noout-set': { domain: 'a' },
  'storage-noout-unset': { domain: 'a' },
  cordon: {},
  drain: {},
  'backup-state': {},
  'check-replace-plan': { addresses: ['module.n.proxmox_virtual_environment_vm.this'] },
  'etcd-leave': {},
  'replace-vm': { addresses: ['module.n.proxmox_virtual_environment_vm.this'] },
  'wait-maintenance': { address: '10.0.0.1' },
  'apply-config': { address: '10.0.0.1', patches: [] },
  'talos-upgrade': { image: 'factory.talos.dev/installer/abc:v1.11.0', version: '1.11.0' },
  'wait-ready': {},
  'verify-version': { talos: '1.11.0' },
  'wait-etcd-rejoin': { expectedMembers: 3 },
  'wait-gpu': {},
  uncordon: {},
  'post-checks': { checks: ['deployments'] },
  'k8s-upgrade': { to: '1.34.1', dryRun: false },
  'validate-cluster': { talos: '1.11.0', expectedNodes: ['n'] },
};

/** A step of `action` (example params unless given): `<node>/<action>` on `node`, else cluster-wide. */
export function exampleStep<A extends StepAction>(
  action: A,
  node?: string,
  params?: StepParams<A>,
): StepOf<A> {
  const step = clusterStep(action, action, params ?? EXAMPLE_PARAMS[action]);
  return node === undefined ? step : { ...step, id: `${node}/${action}`, node };
}
