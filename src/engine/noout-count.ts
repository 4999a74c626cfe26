/**
 * Ceph noout per failure domain, reference-counted (invariant noout-while-away): it stays set while any OSD node
 * of the domain is out of service, whoever took it out, and is unset once none is. Out of service:
 * a unit of this run in flight that has not reached its own unset, a unit a stop left past its
 * destructive call, or a node that is NotReady or gone on its own.
 */
import { storageDomain } from '../core/inventory.js';
import type { RunState } from './context.js';
import { destructiveCallMade, isStepDone, startsOf } from './journal-view.js';

/** The unit of `node` began something irreversible and has not finished: the node is still away. */
function leftAway(run: RunState, node: string): boolean {
  const unit = run.plan.phases.flatMap((p) => p.units).find((u) => u.node === node);
  if (unit === undefined) return false;
  const done = unit.steps.every((s) => isStepDone(run.entries, s.id));
  return !done && destructiveCallMade(run.entries, node);
}

/**
 * A unit of this run in flight holds its domain's noout from its start until its own unset step
 * begins (from then on it is back: Ready at the target, at most still cordoned by us).
 */
function holdsNoout(run: RunState, node: string): boolean {
  if (!run.inFlightNodes.has(node)) return false;
  const unit = run.plan.phases.flatMap((p) => p.units).find((u) => u.node === node);
  const unset = unit?.steps.find((s) => s.action === 'storage-noout-unset');
  return (
    unset === undefined ||
    (startsOf(run.entries, unset.id).length === 0 && !isStepDone(run.entries, unset.id))
  );
}

/** OSD nodes of `domain`, other than `except`, that are out of service now. */
export async function othersAwayInDomain(
  run: RunState,
  domain: string,
  except: string | undefined,
): Promise<string[]> {
  const members = run.inventory.nodes.filter(
    (n) => n.name !== except && n.storage?.osd === true && storageDomain(n) === domain,
  );
  if (members.length === 0) return [];
  const views = await run.kubernetes.nodeReads.listNodes().catch(() => undefined);
  return members
    .filter((n) => {
      if (run.inFlightNodes.has(n.name)) return holdsNoout(run, n.name);
      if (leftAway(run, n.name)) return true;
      // Unreadable is unknown: keep noout rather than let Ceph rebalance a domain that may be away.
      if (views === undefined) return true;
      const view = views.find((v) => v.name === n.name);
      // Ceph cares whether its OSDs run, not whether the node takes pods: a cordon is not away.
      return view === undefined || view.ready !== 'True';
    })
    .map((n) => n.name);
}

/**
 * Ceph noout flags already set when this run starts that it did not set itself (an earlier run
 * that crashed or stopped, or an operator): reported, with whether any OSD node of the domain is
 * away. Left as they are: the domain's own units set and unset it by the count above.
 */
export async function reportLeftoverNoout(run: RunState): Promise<string[]> {
  const set = await run.ports.storage.nooutDomains().catch(() => undefined);
  if (set === undefined || set.length === 0) return [];
  const ours = new Set(
    run.plan.phases
      .flatMap((p) => p.units)
      .flatMap((u) => u.steps)
      .filter((s) => s.action === 'storage-noout-set')
      .filter((s) => startsOf(run.entries, s.id).length > 0)
      .map((s) => s.params.domain),
  );
  const notes: string[] = [];
  for (const domain of set) {
    if (ours.has(domain)) continue;
    const away = await othersAwayInDomain(run, domain, undefined);
    notes.push(
      `Ceph noout was already set on ${domain} when this run started (left by an earlier run, or set by hand): ${
        away.length > 0
          ? `${away.join(', ')} out of service`
          : 'none of its OSD nodes is out of service (it can be unset)'
      }`,
    );
  }
  return notes;
}
