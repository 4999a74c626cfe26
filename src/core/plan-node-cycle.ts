/**
 * The frame every node's cycle shares in a plan, cattle or pets, and the health checks its
 * gate and post checks run.
 */
import type { PlanInput } from './plan-build.js';
import type { Inventory, InventoryNode } from './inventory.js';
import type { PlanStep } from './plan.js';
import { hasStorage, nodeStep, nooutDomain } from './plan-common.js';

/**
 * The frame every node's cycle shares, cattle or pets: its gate first (etcd for a control plane
 * node, cluster health for a worker), Ceph noout for as long as the node is away, then, once it
 * is back, its etcd member (control plane), its GPUs, noout unset, uncordon, and for a worker the
 * post checks. `away` is what takes the node down and brings it back at the target.
 */
export function nodeCycle(node: InventoryNode, input: PlanInput, away: PlanStep[]): PlanStep[] {
  const domain = nooutDomain(node, input.policy);
  const controlPlane = node.role === 'controlplane';
  return [
    controlPlane
      ? nodeStep(node, 'gate-etcd', `etcd stays healthy without ${node.name}`, {
          excluding: node.name,
        })
      : nodeStep(node, 'gate-health', `Cluster healthy before ${node.name} goes down`, {
          checks: gateHealthChecks(input.inventory, input.customChecks),
        }),
    ...(domain === undefined
      ? []
      : [nodeStep(node, 'storage-noout-set', `Set Ceph noout on ${domain}`, { domain })]),
    ...away,
    ...(controlPlane
      ? [
          nodeStep(node, 'wait-etcd-rejoin', `Wait for ${node.name} to rejoin etcd healthy`, {
            expectedMembers: input.inventory.expectedEtcdMembers,
          }),
        ]
      : []),
    ...(node.gpu ? [nodeStep(node, 'wait-gpu', `Wait for the GPUs of ${node.name}`)] : []),
    ...(domain === undefined
      ? []
      : [nodeStep(node, 'storage-noout-unset', `Unset Ceph noout on ${domain}`, { domain })]),
    nodeStep(node, 'uncordon', `Uncordon ${node.name}`),
    ...(controlPlane
      ? []
      : [
          nodeStep(node, 'post-checks', `Workloads healthy after ${node.name}`, {
            checks: postChecks(input.inventory),
          }),
        ]),
  ];
}

/** Pre-drain gates for a worker: CoreDNS always, Ceph when the cluster has OSDs, then custom ones. */
export function gateHealthChecks(inventory: Inventory, custom: string[] = []): string[] {
  return ['coredns', ...(hasStorage(inventory) ? ['ceph'] : []), ...custom.map(customCheck)];
}

/** After a worker is back: deployments available, and Ceph healthy when there is Ceph. */
export function postChecks(inventory: Inventory): string[] {
  return ['deployments', ...(hasStorage(inventory) ? ['ceph'] : [])];
}

function customCheck(name: string): string {
  return name.startsWith('custom:') ? name : `custom:${name}`;
}
