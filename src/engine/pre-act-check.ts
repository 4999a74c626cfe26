/**
 * Invariant recheck-before-act: right before a destructive step (etcd leave, VM replacement, in-place upgrade,
 * forced pod deletion) re-prove what makes it safe, now, whatever passed earlier in the unit or
 * before a crash: the cluster lease is still ours, the disruption budget holds with every node
 * that is out of service counted (Drover's own and those down on their own), the other etcd
 * members are healthy (control plane) and Ceph is not in error (OSD nodes). A wait is re-checked
 * until the gate deadline, then the run stops: it never acts on an unproven answer.
 */
import { block, combine, PASS, wait } from '../core/gates.js';
import { etcdQuorumGate } from '../core/gates-etcd.js';
import type { GateDecision } from '../core/gates.js';
import { storageDomain, type InventoryNode } from '../core/inventory.js';
import { takeDownDecision } from '../core/schedule.js';
import { disruptionFor } from '../core/schedule.js';
import type { StepContext } from './context.js';
import { readEtcd } from './etcd-reading.js';
import { outOfServiceNow } from './out-of-service.js';
import { runGate } from './gate-runner.js';
import { readPoolCap } from './storage-cap.js';
import { storageHealthDecision } from './storage-health.js';

async function budget(ctx: StepContext, node: InventoryNode): Promise<GateDecision> {
  const { run } = ctx;
  const views = await run.kubernetes.nodeReads.listNodes().catch(() => undefined);
  if (views === undefined) return wait('node list unreadable (unknown)');
  const others = run.inventory.nodes.filter((n) => n.name !== node.name);
  // Drover's own units in flight count as down; the rest as the scheduler sees them.
  const inFlight = others.filter((n) => run.inFlightNodes.has(n.name));
  const seen = await outOfServiceNow(
    run,
    others.filter((n) => !run.inFlightNodes.has(n.name)),
    views,
  );
  const down = [...inFlight, ...seen];
  const policy = disruptionFor(run.plan.kind, run.policy);
  // Ceph: what the pools tolerate now caps the storage domains down (unknown: wait). Read where
  // it can bind: a second OSD domain down under a policy that allows it. One domain is within
  // every tolerance but 0, which is refused before the first node (storage-cap.ts).
  const osdDomains = new Set(
    [...down, node].filter((n) => n.storage?.osd === true).map(storageDomain),
  );
  const mayBind =
    node.storage?.osd === true && osdDomains.size > 1 && policy.maxUnavailableDomains > 1;
  const pools = mayBind ? await readPoolCap(run) : undefined;
  if (pools?.known === false) return wait(pools.reason);
  return takeDownDecision({ node, down, policy, poolTolerance: pools?.tolerated });
}

async function etcd(ctx: StepContext, node: InventoryNode): Promise<GateDecision> {
  const reading = await readEtcd(ctx, node.name);
  const expected = ctx.run.inventory.expectedEtcdMembers;
  // After its own leave the node is no longer a member: recreating it costs etcd nothing more,
  // and holding it back would leave etcd a member short (half-done), so only a member is gated.
  const isMember = reading.members?.some((m) => m.hostname === node.name) ?? true;
  if (!isMember) return PASS;
  return etcdQuorumGate(reading, { excluding: node.name, expectedMembers: expected });
}

/** The same fresh-status rule as the health gates: only this run's own noout and OSDs pass. */
async function storage(ctx: StepContext, node: InventoryNode): Promise<GateDecision> {
  const unknown = () => wait('Ceph status unreadable (unknown)');
  const decision = await storageHealthDecision(ctx).catch(unknown);
  if (decision.verdict === 'pass') return decision;
  // Only then: is the node itself already out (its VM gone after a crash mid-apply)?
  const view = await ctx.run.kubernetes.nodeReads.getNode(node.name).catch(() => undefined);
  const answers = await ctx.run.ports.talos.version(node.address).then(
    () => true,
    () => false,
  );
  const selfOut = view === undefined || view.ready !== 'True' || !answers;
  return selfOut ? storageHealthDecision(ctx, { selfOut }).catch(unknown) : decision;
}

/** The decision alone (no waiting): what the pre-act check answers right now. */
export async function preActDecision(ctx: StepContext, node: InventoryNode): Promise<GateDecision> {
  const lease = ctx.run.lease
    ? await ctx.run.lease.confirm()
    : block('LOCK_NOT_HELD', 'this run holds no cluster lease');
  if (lease.verdict !== 'pass') return lease;
  const decisions = [await budget(ctx, node)];
  if (node.role === 'controlplane') decisions.push(await etcd(ctx, node));
  if (node.storage?.osd === true) decisions.push(await storage(ctx, node));
  return combine(decisions);
}

/** Waits (with the gate deadline) until the destructive step `what` is safe, or stops the run. */
export async function preActCheck(ctx: StepContext, what: string): Promise<void> {
  const node = ctx.node;
  if (node === undefined) return;
  const { checks } = await runGate(ctx, () => preActDecision(ctx, node), {
    deadlineSeconds: ctx.run.policy.timeouts.gateSeconds,
    timeoutCode: 'PRE_ACT_BLOCKED',
    category: 'refused',
    hint: `Nothing was done to ${node.name}: ${what} waits until it is safe (budget, etcd, Ceph, lease). Fix what the message names, then run again with --resume.`,
  });
  if (checks > 1)
    ctx.run.log('info', `${what} on ${node.name}: safe again after ${checks} checks`, node.name);
}
