/**
 * Which pending worker units may start now. The engine asks whenever a slot may have freed.
 *
 * Out of service = in progress (Drover took it) or out of service on its own (NotReady,
 * unreachable): both count against the budget, so a node that fails by itself shrinks what
 * Drover may take down (invariant disruption-budget, docs/architecture.md). Such a node is never picked while it is out
 * of service: Drover waits for it rather than act on a node it did not take down (later nodes
 * of its domain may go ahead of it, while it keeps counting against the budget).
 *
 * Failure domain: the storage domain for OSD nodes (Ceph's own failure domain, usually the
 * host), the Proxmox host for the others.
 *
 * Order: plan order is kept within a failure domain (a later unit never overtakes a blocked
 * earlier unit of the same domain); a unit of another domain may overtake a blocked one, which
 * is what lets a free slot in an already-disrupted domain be used while a new domain may not be
 * opened yet.
 */
import { DroverError } from './errors.js';
import { PASS, wait } from './gates.js';
import type { GateDecision } from './gates.js';
import { storageDomain } from './inventory.js';
import type { InventoryNode } from './inventory.js';
import type { UpgradeKind } from './plan.js';
import type { DisruptionPolicy, Policy } from './policy.js';
import { storageDomainsCap } from './pool-tolerance.js';

export function disruptionDomain(node: InventoryNode): string {
  return node.storage?.osd === true ? storageDomain(node) : node.host;
}

/** The budget for a kind of upgrade: pets also caps workers at once by its batch size. */
export function disruptionFor(kind: UpgradeKind, policy: Policy): DisruptionPolicy {
  const d = policy.disruption;
  if (kind !== 'pets') return d;
  return { ...d, maxUnavailableWorkers: Math.min(d.maxUnavailableWorkers, d.petsBatchSize) };
}

export function checkDisruptionPolicy(policy: DisruptionPolicy): void {
  for (const field of ['maxUnavailableWorkers', 'maxUnavailableDomains'] as const) {
    const value = policy[field];
    if (!Number.isInteger(value) || value < 1) {
      throw new DroverError('input', 'POLICY_INVALID', `policy.disruption.${field} is ${value}`, {
        hint: `Set policy.disruption.${field} to a whole number of at least 1 (1 = one at a time).`,
        details: { field: `policy.disruption.${field}`, value },
      });
    }
  }
}

export interface ScheduleInput {
  /** Workers not started yet, in plan order. */
  pending: InventoryNode[];
  /** Workers Drover is working on. */
  inProgress: InventoryNode[];
  /** Workers out of service on their own (not Ready, unreachable), whoever caused it. */
  outOfService: InventoryNode[];
  policy: DisruptionPolicy;
  /**
   * Storage domains the Ceph pools tolerate down at once (core/pool-tolerance.ts); undefined
   * when no pool is declared. OSD domains down never exceed min(policy, this).
   */
  poolTolerance?: number | undefined;
}

const isOsd = (n: InventoryNode): boolean => n.storage?.osd === true;

export function pickRunnableUnits(input: ScheduleInput): InventoryNode[] {
  checkDisruptionPolicy(input.policy);
  const down = new Map<string, InventoryNode>();
  for (const node of [...input.inProgress, ...input.outOfService]) down.set(node.name, node);
  const domainsDown = new Set([...down.values()].map(disruptionDomain));
  let budget = input.policy.maxUnavailableWorkers - down.size;
  const storageCap = storageDomainsCap(input.policy.maxUnavailableDomains, input.poolTolerance);
  const osdDomainsDown = new Set([...down.values()].filter(isOsd).map(storageDomain));
  const blockedDomains = new Set<string>();
  const picked: InventoryNode[] = [];
  for (const node of input.pending) {
    if (budget <= 0) break;
    // Already down on its own: not Drover's to take; it holds nothing back but its own slot.
    if (down.has(node.name)) continue;
    const domain = disruptionDomain(node);
    if (blockedDomains.has(domain)) continue;
    const opensDomain = !domainsDown.has(domain);
    if (opensDomain && domainsDown.size >= input.policy.maxUnavailableDomains) {
      blockedDomains.add(domain);
      continue;
    }
    // Ceph: a new OSD domain only while the pools tolerate one more down.
    if (isOsd(node) && !osdDomainsDown.has(domain) && osdDomainsDown.size >= storageCap) {
      blockedDomains.add(domain);
      continue;
    }
    picked.push(node);
    domainsDown.add(domain);
    if (isOsd(node)) osdDomainsDown.add(domain);
    budget -= 1;
  }
  return picked;
}

export interface TakeDownInput {
  /** The node a destructive step is about to act on (already cordoned by Drover, usually). */
  node: InventoryNode;
  /** Every other node out of service now: Drover's own units in flight and nodes down on their own. */
  down: InventoryNode[];
  policy: DisruptionPolicy;
  /** As ScheduleInput.poolTolerance: what the Ceph pools tolerate, read now. */
  poolTolerance?: number | undefined;
}

const names = (nodes: InventoryNode[]): string => nodes.map((n) => n.name).join(', ');

/**
 * Invariants disruption-budget and recheck-before-act, right before a destructive step: would the world stay within the budget
 * with `node` out of service as well as everything that is down now, whoever took it down? A
 * worker counts against the worker budget and its disruption domain; an OSD node of any role
 * against the storage domains; a control plane node never goes while another one is out.
 * Answers wait (never block): a node that comes back frees the budget again.
 */
export function takeDownDecision(input: TakeDownInput): GateDecision {
  const { node, policy } = input;
  const down = input.down.filter((n) => n.name !== node.name);
  const all = [...down, node];
  if (node.role === 'controlplane') {
    const others = down.filter((n) => n.role === 'controlplane');
    if (others.length > 0)
      return wait(`control plane node(s) out of service: ${names(others)}; ${node.name} must wait`);
  } else {
    const workers = all.filter((n) => n.role !== 'controlplane');
    if (workers.length > policy.maxUnavailableWorkers)
      return wait(
        `${workers.length} workers would be out of service (${names(workers)}); policy allows ${policy.maxUnavailableWorkers}`,
      );
    const domains = new Set(workers.map(disruptionDomain));
    if (domains.size > policy.maxUnavailableDomains)
      return wait(
        `workers out of service would span ${domains.size} failure domains (${[...domains].join(', ')}); policy allows ${policy.maxUnavailableDomains}`,
      );
  }
  if (node.storage?.osd === true) {
    const osdDomains = new Set(all.filter(isOsd).map(storageDomain));
    const cap = storageDomainsCap(policy.maxUnavailableDomains, input.poolTolerance);
    if (osdDomains.size > cap)
      return wait(
        `storage failure domains down would be ${osdDomains.size} (${[...osdDomains].join(', ')}); ${cap < policy.maxUnavailableDomains ? `the Ceph pools tolerate ${cap}` : `policy allows ${cap}`}`,
      );
  }
  return PASS;
}
