/**
 * Issue 15, in the scheduler: a batch of workers about to go out of service is shrunk to the
 * largest leading part whose evicted pods fit on the schedulable workers staying in service
 * (core/capacity.ts). Reads pods on the batch and on those workers; a read that fails is
 * unknown, so nothing starts this round.
 */
import { capacityDecision, largestBatchThatFits, type EvictedPod } from '../core/capacity.js';
import { wait, PASS, type GateDecision } from '../core/gates.js';
import type { InventoryNode } from '../core/inventory.js';
import { addResources, NO_RESOURCES, resourcesOf } from '../core/pod-requests.js';
import { GATE_READ, type NodeView, type PodView } from '../ports/kubernetes.js';
import type { RunState } from './context.js';

const finished = (p: PodView) => p.phase === 'Succeeded' || p.phase === 'Failed';
/** Pods the drain evicts and the scheduler must place elsewhere. */
const moves = (p: PodView) =>
  !finished(p) && !p.deleting && !p.mirror && p.controllerKind !== 'DaemonSet';

export interface CapacityFit {
  fitting: InventoryNode[];
  /** Why the batch shrank (or why nothing fits); PASS when the whole batch fits. */
  decision: GateDecision;
}

export async function fitBatchToCapacity(
  run: RunState,
  batch: InventoryNode[],
  views: readonly NodeView[],
  unavailable: ReadonlySet<string>,
): Promise<CapacityFit> {
  if (batch.length === 0) return { fitting: batch, decision: PASS };
  const viewOf = new Map(views.map((v) => [v.name, v]));
  const schedulable = (n: InventoryNode) => {
    const view = viewOf.get(n.name);
    return view?.ready === 'True' && !view.unschedulable;
  };
  const inBatch = new Set(batch.map((n) => n.name));
  const others = run.inventory.nodes.filter(
    (n) =>
      n.role === 'worker' && !inBatch.has(n.name) && !unavailable.has(n.name) && schedulable(n),
  );
  const read = (n: InventoryNode) => run.kubernetes.nodeReads.listPodsOnNode(n.name, GATE_READ);
  const pods = await Promise.all([...batch, ...others].map(read)).catch(() => undefined);
  if (pods === undefined)
    return { fitting: [], decision: wait('pods unreadable (unknown): capacity not known') };
  const podsOf = new Map([...batch, ...others].map((n, i) => [n.name, pods[i] ?? []]));
  const room = (n: InventoryNode) => ({
    name: n.name,
    allocatable: resourcesOf(viewOf.get(n.name)?.allocatable),
    requested: (podsOf.get(n.name) ?? [])
      .filter((p) => !finished(p))
      .reduce((sum, p) => addResources(sum, p.requests ?? NO_RESOURCES), NO_RESOURCES),
  });
  // Batch mates left out of a smaller part stay in service and take pods too.
  const stayingBeside = (part: readonly InventoryNode[]) =>
    [...others, ...batch.filter((n) => !part.includes(n) && schedulable(n))].map(room);
  const evictedFrom = (part: readonly InventoryNode[]): EvictedPod[] =>
    part.flatMap((n) =>
      (podsOf.get(n.name) ?? []).filter(moves).map((p) => ({
        name: `${p.namespace}/${p.name}`,
        requests: p.requests ?? NO_RESOURCES,
      })),
    );
  const decide = (part: readonly InventoryNode[]) =>
    capacityDecision(evictedFrom(part), stayingBeside(part));
  const whole = decide(batch);
  if (whole.verdict === 'pass') return { fitting: batch, decision: PASS };
  const fitting = largestBatchThatFits(batch, (part) => decide(part).verdict === 'pass');
  return { fitting, decision: whole };
}
