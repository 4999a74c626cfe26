/**
 * Ceph's health as every check judges it: the pre-drain and post checks (steps/gate-steps.ts)
 * and the re-check before a destructive step (pre-act-check.ts).
 */
import type { GateDecision } from '../core/gates.js';
import { CEPH_STATUS_MAX_AGE_SECONDS, cephHealthGate } from '../core/gates-ceph.js';
import { nooutDomain } from '../core/plan-common.js';
import type { StepContext } from './context.js';

/** Nodes other units have out of service right now: their absence explains a Ceph WARN or Pending pods. */
export function othersInFlight(ctx: StepContext): string[] {
  return [...ctx.run.inFlightNodes].filter((n) => n !== ctx.node?.name).sort();
}

/**
 * The Ceph rule (core/gates-ceph.ts) on a fresh read: the CephCluster status with its own
 * timestamp, the live noout buckets, and the noout domains of this run's other nodes out of
 * service. Exported so every re-check before a destructive step judges Ceph the same way.
 * `selfOut`: the node itself is already out (its VM gone after a crash mid-apply): its own OSDs
 * being down is its absence, which the step that brings it back cannot make worse.
 */
export async function storageHealthDecision(
  ctx: StepContext,
  options: { selfOut?: boolean } = {},
): Promise<GateDecision> {
  const { storage, clock } = ctx.run.ports;
  const kubernetes = ctx.run.kubernetes.storageHealth;
  const byName = (n: string) => ctx.run.inventory.nodes.find((x) => x.name === n);
  const others = othersInFlight(ctx)
    .map(byName)
    .filter((n) => n !== undefined);
  // This run's nodes in flight, this one included: after a crash its unit is re-gated with
  // the noout it already set for itself.
  const ownNooutDomains = [...ctx.run.inFlightNodes, ...(ctx.node ? [ctx.node.name] : [])]
    .map(byName)
    .flatMap((n) => (n ? (nooutDomain(n, ctx.run.policy) ?? []) : []));
  const status = await kubernetes.cephStatus();
  const liveNooutBuckets = await storage.nooutDomains().catch(() => undefined);
  return cephHealthGate(
    status && { health: status.health, checks: status.checks, lastCheckedMs: status.lastChecked },
    {
      nowMs: clock.now(),
      maxAgeSeconds: CEPH_STATUS_MAX_AGE_SECONDS,
      ownNooutDomains,
      liveNooutBuckets,
      othersOut: options.selfOut === true || others.some((n) => n.storage?.osd === true),
    },
  );
}
