/**
 * Gate decisions, pure: the engine reads the cluster, these functions judge what it read.
 * A read that failed arrives as `undefined` and is never a pass: it is a wait (the engine
 * re-checks until its deadline, then blocks). A block is final and carries a reason code.
 * The etcd gates are in gates-etcd.ts, Ceph's in gates-ceph.ts, the workloads' in gates-workloads.ts.
 */
import type { ErrorCode } from './error-codes.js';

/*
 * core may not import ports, so the readings are described here structurally; the port types
 * (NodeReading, PodReading, ...) satisfy them.
 */
export interface WorkloadReading {
  desired: number;
  available: number;
  readyNodes: string[];
  /** metadata.generation and status.observedGeneration, when the reader has them. */
  generation?: number | undefined;
  observedGeneration?: number | undefined;
}
export interface NodeReading {
  name: string;
  ready: 'True' | 'False' | 'Unknown';
  unschedulable: boolean;
  talosVersion: string | undefined;
  kubeletVersion: string;
  labels: Record<string, string>;
  allocatable: Record<string, string>;
}
export interface PodReading {
  namespace: string;
  name: string;
  phase: string;
}
export interface HelmReleaseReading {
  namespace: string;
  name: string;
  ready: boolean;
  reason: string;
}

export type GateDecision =
  | { verdict: 'pass' }
  | { verdict: 'wait'; reason: string }
  | { verdict: 'block'; code: ErrorCode; reason: string };

export const PASS: GateDecision = { verdict: 'pass' };
export const wait = (reason: string): GateDecision => ({ verdict: 'wait', reason });
export const block = (code: ErrorCode, reason: string): GateDecision => ({
  verdict: 'block',
  code,
  reason,
});

/** Combines decisions: any block wins, then any wait (reasons joined), else pass. */
export function combine(decisions: GateDecision[]): GateDecision {
  const blocked = decisions.find((d) => d.verdict === 'block');
  if (blocked) return blocked;
  const waits = decisions.flatMap((d) => (d.verdict === 'wait' ? [d.reason] : []));
  return waits.length > 0 ? wait(waits.join('; ')) : PASS;
}

/** The API server answered ready `required` times in a row. */
export function apiStableGate(consecutivePasses: number, required: number): GateDecision {
  return consecutivePasses >= required
    ? PASS
    : wait(`API server ready ${consecutivePasses}/${required} times in a row`);
}

/** Before a node is drained, CoreDNS must have a ready replica on some other node. */
export function corednsGate(status: WorkloadReading | undefined, node: string): GateDecision {
  if (status === undefined) return wait('CoreDNS status unreadable');
  const elsewhere = status.readyNodes.filter((n) => n !== node);
  if (elsewhere.length === 0) return wait(`no ready CoreDNS replica outside ${node}`);
  return PASS;
}

export function workloadGate(label: string, status: WorkloadReading | undefined): GateDecision {
  if (status === undefined) return wait(`${label} status unreadable`);
  // The counts describe an older spec until the controller has observed the current one.
  if (status.generation !== undefined && (status.observedGeneration ?? 0) < status.generation)
    return wait(
      `${label}: generation ${status.generation} not yet observed (observedGeneration ${status.observedGeneration})`,
    );
  if (status.available < status.desired)
    return wait(`${label}: ${status.available}/${status.desired} available`);
  return PASS;
}

/** Finished pods (CronJob history, evicted pods) are history, never a problem. */
export const FINISHED_POD_PHASES: readonly string[] = ['Succeeded', 'Failed'];

/**
 * Pods stuck before running (Pending, Unknown) anywhere: workloads have not settled. Finished
 * pods never count; a running pod that is not ready is the workload gates' business.
 */
export function problemPodsGate(all: PodReading[] | undefined): GateDecision {
  if (all === undefined) return wait('pod list unreadable');
  const pods = all.filter((p) => !FINISHED_POD_PHASES.includes(p.phase));
  if (pods.length === 0) return PASS;
  const names = pods.slice(0, 5).map((p) => `${p.namespace}/${p.name} (${p.phase})`);
  return wait(
    `${pods.length} pod(s) not running: ${names.join(', ')}${pods.length > 5 ? ', ...' : ''}`,
  );
}

export function helmReleasesGate(releases: HelmReleaseReading[] | undefined): GateDecision {
  if (releases === undefined) return wait('HelmReleases unreadable');
  const bad = releases.filter((r) => !r.ready);
  if (bad.length === 0) return PASS;
  return wait(
    `HelmRelease(s) not ready: ${bad.map((r) => `${r.namespace}/${r.name} (${r.reason})`).join(', ')}`,
  );
}

export const GPU_LABEL = 'nvidia.com/gpu.present';
export const GPU_RESOURCE = 'nvidia.com/gpu';

/** Right after boot allocatable GPUs read 0: wait for at least one, not for "a value". */
export function gpuReady(node: NodeReading | undefined): boolean {
  if (node === undefined) return false;
  const count = Number.parseInt(node.allocatable[GPU_RESOURCE] ?? '0', 10);
  return node.labels[GPU_LABEL] === 'true' && Number.isFinite(count) && count >= 1;
}

export function versionsMatch(
  node: NodeReading | undefined,
  target: { talos: string; kubelet?: string | undefined },
): GateDecision {
  if (node === undefined) return wait('node not found');
  if (node.talosVersion !== target.talos)
    return wait(
      `${node.name} runs Talos ${node.talosVersion ?? 'unknown'}, expected ${target.talos}`,
    );
  if (target.kubelet !== undefined && node.kubeletVersion.replace(/^v/, '') !== target.kubelet)
    return wait(`${node.name} runs kubelet ${node.kubeletVersion}, expected ${target.kubelet}`);
  return PASS;
}

export interface ClusterReading {
  nodes: NodeReading[] | undefined;
  helmReleases: HelmReleaseReading[] | undefined;
  problemPods: PodReading[] | undefined;
}

export interface ClusterExpectation {
  expectedNodes: string[];
  gpuNodes: string[];
  talos: string;
  kubernetes?: string | undefined;
  /** A selected run: only these must be at the target; the others only present, Ready, schedulable. */
  versionNodes?: string[] | undefined;
}

/**
 * Final validation counts expected nodes: "every listed node Ready" is not enough when a node
 * is missing from the list. Cordoned is reported as unschedulable, not as NotReady.
 */
export function validateCluster(reading: ClusterReading, expect: ClusterExpectation): GateDecision {
  if (reading.nodes === undefined) return wait('node list unreadable');
  const problems: string[] = [];
  for (const name of expect.expectedNodes) {
    const node = reading.nodes.find((n) => n.name === name);
    if (node === undefined) {
      problems.push(`${name} missing`);
      continue;
    }
    if (node.ready !== 'True') problems.push(`${name} Ready=${node.ready}`);
    if (node.unschedulable) problems.push(`${name} cordoned`);
    const versions =
      expect.versionNodes === undefined || expect.versionNodes.includes(name)
        ? versionsMatch(node, { talos: expect.talos, kubelet: expect.kubernetes })
        : PASS;
    if (versions.verdict !== 'pass')
      problems.push(versions.verdict === 'wait' ? versions.reason : versions.code);
    if (expect.gpuNodes.includes(name) && !gpuReady(node)) problems.push(`${name} GPUs not ready`);
  }
  const decisions: GateDecision[] = [
    problems.length > 0 ? wait(problems.join('; ')) : PASS,
    helmReleasesGate(reading.helmReleases),
    problemPodsGate(reading.problemPods),
  ];
  return combine(decisions);
}
