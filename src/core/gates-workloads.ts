/**
 * Workload availability as the controllers report it, pure: Deployments, StatefulSets and
 * DaemonSets, each by its own status (availableReplicas / readyReplicas / numberAvailable against
 * what it wants, once observedGeneration has caught up with metadata.generation). Pod phase says
 * nothing here: a CrashLoopBackOff pod is phase Running with Ready=False, and its workload's
 * availability is what drops (kubernetes/api apps/v1 types.go; shared reference section 9).
 */
import { PASS, wait, type GateDecision } from './gates.js';

export interface WorkloadAvailabilityReading {
  kind: string;
  namespace: string;
  name: string;
  desired: number;
  available: number;
  generation: number | undefined;
  observedGeneration: number | undefined;
  /**
   * Where the workload's pods that are not Ready are: a node name, or undefined when the pod is
   * not scheduled. Filled at least for workloads short of availability.
   */
  unreadyPodNodes: (string | undefined)[];
}

/**
 * Every workload observed and available. While other nodes of this run are out of service
 * (`excusedNodes`), a shortfall is excused when it is explained by pods that are unscheduled or
 * on those nodes; any other shortfall waits.
 */
export function workloadsGate(
  readings: WorkloadAvailabilityReading[] | undefined,
  options: { excusedNodes: readonly string[] },
): GateDecision {
  if (readings === undefined) return wait('workload status unreadable');
  const problems: string[] = [];
  for (const w of readings) {
    const label = `${w.kind} ${w.namespace}/${w.name}`;
    if (w.generation !== undefined && (w.observedGeneration ?? 0) < w.generation) {
      problems.push(`${label} generation ${w.generation} not yet observed`);
      continue;
    }
    const shortfall = w.desired - w.available;
    if (shortfall <= 0) continue;
    if (options.excusedNodes.length > 0) {
      const explained = w.unreadyPodNodes.filter(
        (n) => n === undefined || options.excusedNodes.includes(n),
      ).length;
      if (explained >= shortfall) continue;
    }
    problems.push(`${label} ${w.available}/${w.desired} available`);
  }
  if (problems.length === 0) return PASS;
  const shown = problems.slice(0, 5).join(', ');
  return wait(
    `${problems.length} workload(s) not available: ${shown}${problems.length > 5 ? ', ...' : ''}`,
  );
}
