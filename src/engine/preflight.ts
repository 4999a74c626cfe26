/**
 * What is checked before anything happens: the inventory against the live cluster (a node the
 * config lists but the cluster lacks, or one the cluster has and the config does not know,
 * stops the run with exit 2: the plan would be about another cluster), each node's versions
 * against the target, and that every machine config the plan applies can be read. Read-only:
 * no cordon, no lease, no journal write, so the same checks serve `upgrade --dry-run`.
 */
import { DroverError, isDroverError } from '../core/errors.js';
import type { Inventory } from '../core/inventory.js';
import { allSteps } from '../core/plan.js';
import type { NodeUnit, Plan } from '../core/plan.js';
import { reachedHop } from '../core/plan-hops.js';
import type { NodeReadPort, NodeView, StorageHealthPort } from '../ports/kubernetes.js';
import type { RegistryPort } from '../ports/registry.js';
import type { SecretsPort } from '../ports/secrets.js';
import { imageCheckSkippedNote, imageMissingError, imagesToCheck } from './installer-images.js';
import { poolBlockedError, poolCapOf, planTouchesOsd } from './storage-cap.js';

export interface PreflightNode {
  name: string;
  role: string;
  host: string;
  ready: string;
  cordoned: boolean;
  talosVersion: string | null;
  kubeletVersion: string;
  /** Runs the versions the run ends at (Talos, and Kubernetes when known). */
  atTarget: boolean;
  /** The engine would skip this node's whole cycle (at the target Talos, Ready, not cordoned). */
  wouldSkip: boolean;
}

export interface PreflightResult {
  target: { talos: string; kubernetes: string | null };
  nodes: PreflightNode[];
  /** Step id -> what the live cluster says about it (dry run annotations). */
  annotations: Record<string, string>;
  /** Things the operator should know that do not stop the run. */
  notes: string[];
}

export interface PreflightOptions {
  plan: Plan;
  inventory: Inventory;
  kubernetes: NodeReadPort;
  /** When given, each machine config source the plan applies is read once (into memory). */
  secrets?: SecretsPort;
  /** When given (the dry run), each installer image is looked up: missing refuses, unanswered is a note. */
  registry?: RegistryPort;
  /**
   * When given (the dry run), the Ceph pools are read as the run would: pools that tolerate no
   * storage domain refuse, a policy they cap or pools unreadable are notes.
   */
  storageHealth?: StorageHealthPort;
  /** Why the installer images are not looked up (preflight.installerImages: skip): a note instead. */
  installerImagesSkipped?: string;
  signal?: AbortSignal;
}

export async function preflight(options: PreflightOptions): Promise<PreflightResult> {
  const { plan, inventory } = options;
  const live = await readNodes(options.kubernetes);
  checkInventory(inventory, live);

  const target = targetOf(plan);
  const byName = new Map(live.map((n) => [n.name, n]));
  const units = plan.phases.flatMap((p) => p.units);
  const nodes: PreflightNode[] = inventory.nodes.map((node) => {
    const view = byName.get(node.name)!;
    // A multi-hop plan has a unit per hop for each node: skipped only if every one would be.
    const own = units.filter((u) => u.node === node.name);
    return {
      name: node.name,
      role: node.role,
      host: node.host,
      ready: view.ready,
      cordoned: view.unschedulable,
      talosVersion: view.talosVersion ?? null,
      kubeletVersion: view.kubeletVersion,
      atTarget: atTarget(view, target),
      wouldSkip: own.length > 0 && own.every((unit) => wouldSkipUnit(plan, unit, view)),
    };
  });

  const annotations: Record<string, string> = {};
  for (const unit of units) {
    const view = byName.get(unit.node)!;
    if (!wouldSkipUnit(plan, unit, view)) continue;
    for (const step of unit.steps)
      annotations[step.id] = `would skip: ${unit.node} already runs Talos ${view.talosVersion}`;
  }

  const notes = nodeNotes(plan, nodes, target);
  if (options.storageHealth && planTouchesOsd(plan, inventory))
    notes.push(...(await poolNotes(options, options.storageHealth)));
  if (options.secrets) notes.push(...(await checkMachineConfigs(options)));
  if (options.installerImagesSkipped !== undefined) {
    const images = imagesToCheck(allSteps(plan), inventory).size;
    if (images > 0) notes.push(imageCheckSkippedNote(options.installerImagesSkipped, images));
  } else if (options.registry)
    notes.push(...(await lookUpInstallerImages(plan, inventory, options.registry, options.signal)));
  return { target, nodes, annotations, notes };
}

/** What the live nodes say that does not stop the run: not Ready, cordoned, unexpected Talos. */
function nodeNotes(
  plan: Plan,
  nodes: PreflightNode[],
  target: PreflightResult['target'],
): string[] {
  const notes: string[] = [];
  for (const n of nodes) {
    if (n.ready !== 'True') notes.push(`${n.name} is not Ready (Ready=${n.ready})`);
    if (n.cordoned) notes.push(`${n.name} is cordoned already`);
  }
  if (plan.kind !== 'kubernetes') {
    const expected = new Set([plan.from, ...plan.hops, target.talos]);
    for (const n of nodes)
      if (n.talosVersion === null || !expected.has(n.talosVersion))
        notes.push(
          `${n.name} runs Talos ${n.talosVersion ?? 'unknown'}, neither the expected ${plan.from} nor the target ${target.talos}`,
        );
  }
  const done = nodes.filter((n) => n.atTarget).length;
  notes.push(`${done} of ${nodes.length} nodes already run the target versions`);
  return notes;
}

/** The Ceph pools read as the run would: no tolerance refuses; a cap or unreadable pools are notes. */
async function poolNotes(
  options: PreflightOptions,
  storageHealth: StorageHealthPort,
): Promise<string[]> {
  const pools = await poolCapOf(
    storageHealth,
    options.inventory,
    options.plan.policy.disruption.maxUnavailableDomains,
    options.signal,
  );
  if (pools.known && pools.blocker) throw poolBlockedError(pools.blocker);
  if (!pools.known)
    return [`${pools.reason}: the run would wait for them, then stop before an OSD node goes`];
  return pools.note ? [pools.note] : [];
}

async function readNodes(kubernetes: NodeReadPort): Promise<NodeView[]> {
  try {
    return await kubernetes.listNodes();
  } catch (error) {
    // A failed read is unknown, never "no nodes": nothing can be checked, so nothing starts.
    if (isDroverError(error) && (error.category === 'input' || error.category === 'usage'))
      throw error;
    throw new DroverError(
      'failed',
      'CLUSTER_UNREACHABLE',
      `cannot list the cluster's nodes: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
        // The adapter's hint names the endpoint and the kubeconfig it came from.
        hint:
          (isDroverError(error) ? error.hint : undefined) ??
          'Check --kubeconfig/--context (or KUBECONFIG) and that the API server answers.',
      },
    );
  }
}

export function checkInventory(inventory: Inventory, live: readonly { name: string }[]): void {
  const liveNames = new Set(live.map((n) => n.name));
  const known = new Set(inventory.nodes.map((n) => n.name));
  const missing = inventory.nodes.map((n) => n.name).filter((n) => !liveNames.has(n));
  const unknown = [...liveNames].filter((n) => !known.has(n)).sort();
  if (missing.length === 0 && unknown.length === 0) return;
  const parts = [
    ...(missing.length > 0 ? [`in the config but not in the cluster: ${missing.join(', ')}`] : []),
    ...(unknown.length > 0 ? [`in the cluster but not in the config: ${unknown.join(', ')}`] : []),
  ];
  throw new DroverError(
    'input',
    'INVENTORY_MISMATCH',
    `the config's nodes do not match the cluster's: ${parts.join('; ')}`,
    {
      hint: 'Make the nodes list of the config describe this cluster (or point --kubeconfig/--context at the right cluster), then run again.',
      details: { missing, unknown },
    },
  );
}

/** The versions the run ends at, from the plan's final validation. */
function targetOf(plan: Plan): PreflightResult['target'] {
  const validate = allSteps(plan).find((s) => s.action === 'validate-cluster');
  return {
    talos: validate?.params.talos ?? plan.to,
    kubernetes: validate?.params.kubernetes ?? null,
  };
}

function atTarget(view: NodeView, target: PreflightResult['target']): boolean {
  if (view.talosVersion !== target.talos) return false;
  return target.kubernetes === null || view.kubeletVersion.replace(/^v/, '') === target.kubernetes;
}

/** The engine's rule (run-unit): a fresh unit whose node runs the target, Ready and schedulable, is skipped. */
export function wouldSkipUnit(plan: Plan, unit: NodeUnit, view: NodeView): boolean {
  if (plan.kind === 'kubernetes') return false;
  const verify = unit.steps.find((s) => s.action === 'verify-version');
  const talos = verify?.params.talos ?? plan.to;
  return (
    reachedHop(view.talosVersion, talos, plan.to) && view.ready === 'True' && !view.unschedulable
  );
}

/** Reads each machine config source the plan applies once; a missing or broken one stops here. */
async function checkMachineConfigs(options: PreflightOptions): Promise<string[]> {
  const applied = new Set(
    allSteps(options.plan)
      .filter((s) => s.action === 'apply-config' && s.node !== undefined)
      .map((s) => s.node!),
  );
  const seen = new Set<string>();
  const notes: string[] = [];
  for (const node of options.inventory.nodes) {
    if (!applied.has(node.name) || seen.has(node.machineConfig)) continue;
    seen.add(node.machineConfig);
    await options.secrets!.machineConfig(node, options.signal);
    notes.push(`machine config "${node.machineConfig}" is readable`);
  }
  return notes;
}

/** The dry run's look at the installer images: a missing one refuses as the run would. */
async function lookUpInstallerImages(
  plan: Plan,
  inventory: Inventory,
  registry: RegistryPort,
  signal?: AbortSignal,
): Promise<string[]> {
  const notes: string[] = [];
  for (const [image, nodes] of imagesToCheck(allSteps(plan), inventory)) {
    const answer = await registry.manifest(image, signal);
    if (answer.state === 'missing') throw imageMissingError(image, nodes, answer.status);
    notes.push(
      answer.state === 'present'
        ? `installer image ${image} exists`
        : `cannot tell whether installer image ${image} exists (${answer.reason}): the run would refuse with REGISTRY_UNREACHABLE`,
    );
  }
  return notes;
}
