/**
 * Issue 15: before a batch of workers goes out of service, the pods it will evict must fit in
 * what remains: the allocatable CPU and memory of the schedulable workers staying in service,
 * minus what their pods already request. Placed largest first on the node with the most room
 * left (a simple stand-in for the Kubernetes scheduler; requests only, as it counts them).
 * DaemonSet and mirror pods are not counted (they are not rescheduled); finished pods neither.
 */
import { block, PASS, type GateDecision } from './gates.js';
import type { Resources } from './pod-requests.js';

export interface EvictedPod {
  /** namespace/name, for the message. */
  name: string;
  requests: Resources;
}

export interface StayingNode {
  name: string;
  allocatable: Resources;
  /** Sum of the requests of the pods already running there. */
  requested: Resources;
}

const GI = 2 ** 30;

function describe(r: Resources): string {
  const memory =
    r.memoryBytes >= GI
      ? `${(r.memoryBytes / GI).toFixed(1)}Gi`
      : `${Math.ceil(r.memoryBytes / 2 ** 20)}Mi`;
  return `${r.cpuMillis}m CPU, ${memory} memory`;
}

/** The pods (of `evicted`) that find no room on `staying`; empty when all fit. */
export function podsWithoutRoom(evicted: EvictedPod[], staying: StayingNode[]): EvictedPod[] {
  const room = staying.map((n) => ({
    cpu: n.allocatable.cpuMillis - n.requested.cpuMillis,
    memory: n.allocatable.memoryBytes - n.requested.memoryBytes,
  }));
  const order = [...evicted].sort(
    (a, b) =>
      b.requests.cpuMillis - a.requests.cpuMillis ||
      b.requests.memoryBytes - a.requests.memoryBytes ||
      a.name.localeCompare(b.name),
  );
  const left: EvictedPod[] = [];
  for (const pod of order) {
    let best = -1;
    for (let i = 0; i < room.length; i++) {
      const r = room[i]!;
      if (r.cpu < pod.requests.cpuMillis || r.memory < pod.requests.memoryBytes) continue;
      if (best < 0 || r.cpu > room[best]!.cpu) best = i;
    }
    if (best < 0) left.push(pod);
    else {
      room[best]!.cpu -= pod.requests.cpuMillis;
      room[best]!.memory -= pod.requests.memoryBytes;
    }
  }
  return left;
}

/** Pass, or block `CAPACITY_SHORT` naming the pods and requests that would find no room. */
export function capacityDecision(evicted: EvictedPod[], staying: StayingNode[]): GateDecision {
  const left = podsWithoutRoom(evicted, staying);
  if (left.length === 0) return PASS;
  const short = left.reduce(
    (sum, p) => ({
      cpuMillis: sum.cpuMillis + p.requests.cpuMillis,
      memoryBytes: sum.memoryBytes + p.requests.memoryBytes,
    }),
    { cpuMillis: 0, memoryBytes: 0 },
  );
  return block(
    'CAPACITY_SHORT',
    `${left.length} evicted pod(s) would find no room on the ${staying.length} schedulable worker(s) staying in service (short ${describe(short)}: ${left
      .map((p) => p.name)
      .slice(0, 5)
      .join(', ')}${left.length > 5 ? ', ...' : ''})`,
  );
}

/**
 * The largest leading part of `batch` (scheduler order) whose evictions fit: a batch that does
 * not fit shrinks rather than blocks while a smaller one fits. Empty when not even one fits.
 */
export function largestBatchThatFits<T>(
  batch: readonly T[],
  fits: (part: readonly T[]) => boolean,
): T[] {
  for (let size = batch.length; size > 0; size--) {
    const part = batch.slice(0, size);
    if (fits(part)) return part;
  }
  return [];
}
