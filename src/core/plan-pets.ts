/**
 * Pets: each node is cordoned and drained by Drover under the drain policy, then upgraded in
 * place with `talosctl upgrade --image <installer>`, using the node's own schematic and platform
 * (installer-image.ts). Control plane one at a time behind
 * the etcd gate, then workers as the disruption policy allows (for pets also capped by
 * policy.disruption.petsBatchSize, see schedule.ts `disruptionFor`), then validation.
 *
 * A route across minors that Talos does not take in one upgrade (its installer's pre-flight
 * refuses a host below the target line's minimum) is planned hop by hop: one plan, the whole
 * cluster upgraded to each hop before the next (plan-hops.ts).
 */
import { controlPlaneNodes, workerNodes } from './inventory.js';
import type { InventoryNode } from './inventory.js';
import { installerImage } from './installer-image.js';
import type { Plan, PlanStep } from './plan.js';
import type { PlanInput } from './plan-build.js';
import { buildMultiHopPlan } from './plan-hops.js';
import {
  apiStableStep,
  assertUniqueStepIds,
  checkInventory,
  nodeStep,
  normalizeVersion,
  targetHops,
  validationPhase,
} from './plan-common.js';
import { nodeCycle } from './plan-node-cycle.js';

function upgradeAndVerify(
  node: InventoryNode,
  to: string,
  kubelet: string | undefined,
): PlanStep[] {
  const image = installerImage(node, to);
  return [
    // Drover's drain, under the drain policy (PDB window, force rules), as for cattle: the drain
    // Talos runs inside its upgrade sequence knows nothing of the policy.
    nodeStep(node, 'cordon', `Cordon ${node.name}`),
    nodeStep(node, 'drain', `Drain ${node.name}`),
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

/** Control plane and workers alike: the shared cycle around an in-place upgrade. */
function nodeSteps(node: InventoryNode, input: PlanInput, to: string, kubelet?: string) {
  return nodeCycle(node, input, upgradeAndVerify(node, to, kubelet));
}

export function buildPetsPlan(input: PlanInput): Plan {
  const { inventory, policy } = input;
  checkInventory(inventory, { cattle: false });
  const from = normalizeVersion('from', input.from);
  const to = normalizeVersion('to', input.to);
  const hops = targetHops(to, input.hops);
  if (hops.length > 1) return buildMultiHopPlan({ ...input, from }, hops, buildPetsPlan);
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
          steps: nodeSteps(n, input, to, kubelet),
        })),
        concurrency: 'one-at-a-time',
      },
      {
        id: 'workers',
        title: 'Upgrade the workers in place as the disruption policy allows',
        steps: [apiStableStep(policy)],
        units: workerNodes(inventory).map((n) => ({
          node: n.name,
          steps: nodeSteps(n, input, to, kubelet),
        })),
        concurrency: 'disruption-policy',
      },
      validationPhase(inventory, to, kubelet),
    ],
    policy,
  });
}
