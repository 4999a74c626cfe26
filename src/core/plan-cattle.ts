/**
 * Cattle: every node VM is destroyed and recreated from a template built from the new Talos
 * image. Templates first (the new one is built before any VM that uses it goes), then the
 * control plane strictly one node at a time behind the etcd gate, then the workers as the
 * disruption policy allows, then a validation that counts every expected node.
 *
 * Multi-hop routes are refused (CATTLE_MULTI_HOP, core/refusals.ts says why and where from): the
 * templates come from the Talos version the Terraform configuration holds, so a run cannot build
 * an intermediate hop's, and a fresh node must not skip minors of the cluster's etcd either.
 * Going straight to the target silently is what this refusal replaces; the router sends a jump
 * over several lines in place (pets, a phase per hop) instead.
 *
 * Control plane nodes follow the brief's cycle; should one carry GPUs or Ceph OSDs it also
 * gets the GPU wait and the noout steps a worker would (none does in the reference cluster).
 *
 * Templates: only those the inventory's nodes use are rebuilt (the architecture defines one per
 * host and role, but rebuilding an unused one costs time and storage for nothing).
 */
import { controlPlaneNodes, workerNodes } from './inventory.js';
import type { Inventory, InventoryNode } from './inventory.js';
import type { Plan, PlanPhase, PlanStep } from './plan.js';
import type { PlanInput } from './plan-build.js';
import { DroverError } from './errors.js';
import { cattleHopsRefusal } from './refusals.js';
import {
  apiStableStep,
  assertUniqueStepIds,
  checkInventory,
  clusterStep,
  nodeStep,
  normalizeVersion,
  targetHops,
  terraformAddressesOf,
  validationPhase,
} from './plan-common.js';
import { nodeCycle } from './plan-node-cycle.js';

/** Templates the nodes use, in order of first use. */
export function templatesInUse(inventory: Inventory): string[] {
  // A Set keeps insertion order: one pass, not a scan of the keys per node (5,000 nodes use
  // ~1,700 templates).
  return [...new Set(inventory.nodes.map((node) => node.template))];
}

function templatesPhase(inventory: Inventory, to: string): PlanPhase {
  const specs = templatesInUse(inventory).map((key) => inventory.templates[key]!);
  const rebuilds: PlanStep[] = specs.map((t) => ({
    id: `template/${t.address}`,
    action: 'rebuild-template',
    params: { address: t.address, flavor: t.flavor, host: t.host, version: to },
    title: `Rebuild template ${t.address} (${t.flavor} on ${t.host}) for Talos ${to}`,
  }));
  const verify = clusterStep(
    'verify-templates',
    `Verify the ${specs.length} rebuilt templates are at Talos ${to}`,
    { addresses: specs.map((t) => t.address), version: to },
  );
  return {
    id: 'templates',
    title: 'Rebuild the VM templates',
    steps: [...rebuilds, verify],
    units: [],
    concurrency: 'one-at-a-time',
  };
}

interface Target {
  talos: string;
  kubelet: string | undefined;
}

/** Destroy and recreate the VM, then bring the fresh one up at the target. */
function replaceAndBoot(node: InventoryNode, target: Target): PlanStep[] {
  return [
    nodeStep(node, 'replace-vm', `Recreate the VM of ${node.name}`, {
      addresses: terraformAddressesOf(node),
    }),
    nodeStep(node, 'wait-maintenance', `Wait for the fresh ${node.name} in maintenance mode`, {
      address: node.address,
    }),
    nodeStep(node, 'apply-config', `Apply the machine config and patches of ${node.name}`, {
      address: node.address,
      patches: node.patches,
    }),
    nodeStep(node, 'wait-ready', `Wait for ${node.name} to be Ready`),
    nodeStep(node, 'verify-version', `Verify ${node.name} runs Talos ${target.talos}`, {
      talos: target.talos,
      kubelet: target.kubelet,
    }),
  ];
}

const backupState = (node: InventoryNode): PlanStep =>
  nodeStep(node, 'backup-state', `Back up the Terraform state before ${node.name} is replaced`);

function takeDown(node: InventoryNode): PlanStep[] {
  return [
    nodeStep(node, 'cordon', `Cordon ${node.name}`),
    nodeStep(node, 'drain', `Drain ${node.name}`),
  ];
}

/**
 * A control plane node's state backup comes first: it takes nothing out of service, so it runs
 * while the node before it boots (core/lead-in.ts). Its plan check does not: it stays right
 * before the etcd leave, where it also proves the state usable (not locked by someone else)
 * before a member goes.
 */
function controlPlaneSteps(node: InventoryNode, input: PlanInput, target: Target): PlanStep[] {
  return [
    backupState(node),
    ...nodeCycle(node, input, [
      ...takeDown(node),
      // A refused plan must leave etcd untouched: plan and scope check before the member leaves.
      nodeStep(
        node,
        'check-replace-plan',
        `Check the Terraform plan for ${node.name} before etcd`,
        {
          addresses: terraformAddressesOf(node),
        },
      ),
      nodeStep(node, 'etcd-leave', `${node.name} leaves etcd`),
      ...replaceAndBoot(node, target),
    ]),
  ];
}

function workerSteps(node: InventoryNode, input: PlanInput, target: Target): PlanStep[] {
  return nodeCycle(node, input, [
    ...takeDown(node),
    backupState(node),
    ...replaceAndBoot(node, target),
  ]);
}

export function buildCattlePlan(input: PlanInput): Plan {
  const { inventory, policy } = input;
  checkInventory(inventory, { cattle: true });
  const from = normalizeVersion('from', input.from);
  const to = normalizeVersion('to', input.to);
  const hops = targetHops(to, input.hops);
  const refusal = cattleHopsRefusal('cattle', hops);
  if (refusal)
    throw new DroverError('refused', refusal.code, refusal.reason, {
      hint: 'Upgrade in place through every hop (pets --allow-multi-hop), or run one cattle upgrade per hop.',
      details: { hops },
    });
  const kubernetes =
    input.kubernetes === undefined
      ? undefined
      : normalizeVersion('kubernetes.to', input.kubernetes.to);
  const target: Target = { talos: to, kubelet: kubernetes };
  const phases: PlanPhase[] = [
    templatesPhase(inventory, to),
    {
      id: 'control-plane',
      title: 'Replace the control plane, one node at a time',
      steps: [],
      units: controlPlaneNodes(inventory).map((n) => ({
        node: n.name,
        steps: controlPlaneSteps(n, input, target),
      })),
      concurrency: 'one-at-a-time',
    },
    {
      id: 'workers',
      title: 'Replace the workers as the disruption policy allows',
      steps: [apiStableStep(policy)],
      units: workerNodes(inventory).map((n) => ({
        node: n.name,
        steps: workerSteps(n, input, target),
      })),
      concurrency: 'disruption-policy',
    },
    validationPhase(inventory, to, kubernetes),
  ];
  return assertUniqueStepIds({
    schemaVersion: 1,
    kind: 'cattle',
    cluster: inventory.cluster,
    from,
    to,
    hops,
    phases,
    policy,
  });
}
