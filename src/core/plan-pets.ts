/**
 * Pets: each node is upgraded in place with `talosctl upgrade --image <installer>`, using the
 * node's own schematic and platform (installer-image.ts). Control plane one at a time behind
 * the etcd gate, then workers as the disruption policy allows (for pets also capped by
 * policy.disruption.petsBatchSize, see schedule.ts `disruptionFor`), then validation.
 *
 * A pets route stays within one Talos minor, so it is always a single hop; a longer route is
 * refused here rather than planned as several in-place upgrades per node.
 */
import { DroverError } from './errors.js';
import { controlPlaneNodes, workerNodes } from './inventory.js';
import type { InventoryNode } from './inventory.js';
import { installerImage } from './installer-image.js';
import type { Plan, PlanStep } from './plan.js';
import type { PlanInput } from './plan-build.js';
import {
  apiStableStep,
  assertUniqueStepIds,
  checkInventory,
  gateHealthChecks,
  nodeStep,
  nooutDomain,
  normalizeVersion,
  postChecks,
  targetHops,
  validationPhase,
} from './plan-common.js';

function upgradeAndVerify(
  node: InventoryNode,
  to: string,
  kubelet: string | undefined,
): PlanStep[] {
  const image = installerImage(node, to);
  return [
    nodeStep(node, 'talos-upgrade', `Upgrade ${node.name} in place to Talos ${to}`, {
      image,
      version: to,
    }),
    nodeStep(node, 'wait-ready', `Wait for ${node.name} to be Ready`),
    nodeStep(node, 'verify-version', `Verify ${node.name} runs Talos ${to}`, {
      talos: to,
      kubelet,
    }),
  ];
}

function controlPlaneSteps(node: InventoryNode, input: PlanInput, to: string, kubelet?: string) {
  return [
    nodeStep(node, 'gate-etcd', `etcd stays healthy without ${node.name}`, {
      excluding: node.name,
    }),
    ...upgradeAndVerify(node, to, kubelet),
    nodeStep(node, 'wait-etcd-rejoin', `Wait for ${node.name} to rejoin etcd healthy`, {
      expectedMembers: input.inventory.expectedEtcdMembers,
    }),
    nodeStep(node, 'uncordon', `Uncordon ${node.name}`),
  ];
}

function workerSteps(node: InventoryNode, input: PlanInput, to: string, kubelet?: string) {
  const domain = nooutDomain(node, input.policy);
  return [
    nodeStep(node, 'gate-health', `Cluster healthy before ${node.name} goes down`, {
      checks: gateHealthChecks(input.inventory, input.customChecks),
    }),
    ...(domain === undefined
      ? []
      : [nodeStep(node, 'storage-noout-set', `Set Ceph noout on ${domain}`, { domain })]),
    ...upgradeAndVerify(node, to, kubelet),
    ...(node.gpu ? [nodeStep(node, 'wait-gpu', `Wait for the GPUs of ${node.name}`)] : []),
    ...(domain === undefined
      ? []
      : [nodeStep(node, 'storage-noout-unset', `Unset Ceph noout on ${domain}`, { domain })]),
    nodeStep(node, 'uncordon', `Uncordon ${node.name}`),
    nodeStep(node, 'post-checks', `Workloads healthy after ${node.name}`, {
      checks: postChecks(input.inventory),
    }),
  ];
}

export function buildPetsPlan(input: PlanInput): Plan {
  const { inventory, policy } = input;
  checkInventory(inventory, { cattle: false });
  const from = normalizeVersion('from', input.from);
  const to = normalizeVersion('to', input.to);
  const hops = targetHops(to, input.hops);
  if (hops.length > 1) {
    throw new DroverError(
      'refused',
      'PETS_MULTI_HOP',
      `an in-place (pets) upgrade is one hop, got ${hops.join(' -> ')}`,
      {
        hint: 'Run one pets upgrade per hop, or use a cattle upgrade for a change of minor version.',
        details: { hops },
      },
    );
  }
  const kubelet =
    input.kubernetes === undefined
      ? undefined
      : normalizeVersion('kubernetes.to', input.kubernetes.to);
  return assertUniqueStepIds({
    schemaVersion: 1,
    kind: 'pets',
    cluster: inventory.cluster,
    from,
    to,
    hops,
    phases: [
      {
        id: 'control-plane',
        title: 'Upgrade the control plane in place, one node at a time',
        steps: [],
        units: controlPlaneNodes(inventory).map((n) => ({
          node: n.name,
          steps: controlPlaneSteps(n, input, to, kubelet),
        })),
        concurrency: 'one-at-a-time',
      },
      {
        id: 'workers',
        title: 'Upgrade the workers in place as the disruption policy allows',
        steps: [apiStableStep(policy)],
        units: workerNodes(inventory).map((n) => ({
          node: n.name,
          steps: workerSteps(n, input, to, kubelet),
        })),
        concurrency: 'disruption-policy',
      },
      validationPhase(inventory, to, kubelet),
    ],
    policy,
  });
}
