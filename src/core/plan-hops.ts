/**
 * A multi-hop in-place route as ONE plan: the single-hop plan of every hop, one after another,
 * each hop's phases marked with the version they move to, and one validation at the end. Step
 * ids carry the hop (`k8s-work-1/talos-upgrade@1.10.9`), so the journal tells hop 1's steps from
 * hop 2's: a run that stops in hop 2 resumes in hop 2 and never redoes hop 1.
 */
import semver from 'semver';
import type { Plan, PlanPhase } from './plan.js';
import type { PlanInput } from './plan-build.js';
import { assertUniqueStepIds } from './plan-common.js';

export function hopStepId(id: string, hop: string): string {
  return `${id}@${hop}`;
}

/** `build` makes the plan of one hop; `hops` ends at input.to and has at least two entries. */
export function buildMultiHopPlan(
  input: PlanInput,
  hops: readonly string[],
  build: (hopInput: PlanInput) => Plan,
): Plan {
  const phases: PlanPhase[] = [];
  let previous = input.from;
  let last: Plan | undefined;
  hops.forEach((hop, index) => {
    const { hops: _all, ...single } = input;
    const plan = build({ ...single, from: previous, to: hop });
    for (const phase of plan.phases) {
      if (phase.id === 'validation') continue;
      phases.push({
        ...phase,
        hop,
        title: `Hop ${index + 1} of ${hops.length} (to ${hop}): ${phase.title}`,
        steps: phase.steps.map((s) => ({ ...s, id: hopStepId(s.id, hop) })),
        units: phase.units.map((u) => ({
          ...u,
          steps: u.steps.map((s) => ({ ...s, id: hopStepId(s.id, hop) })),
        })),
      });
    }
    previous = hop;
    last = plan;
  });
  const final = last!;
  return assertUniqueStepIds({
    ...final,
    from: input.from.replace(/^v/, ''),
    hops: [...hops],
    phases: [...phases, ...final.phases.filter((p) => p.id === 'validation')],
  });
}

/**
 * Whether a node running `running` needs nothing from the hop to `hop` of a plan ending at
 * `final`: it runs the hop's version or one between it and the final target (a node an earlier
 * run, or an operator, already took further must not be taken back down to an intermediate hop).
 * For a single hop (hop = final) this is plain equality.
 */
export function reachedHop(running: string | undefined, hop: string, final: string): boolean {
  if (running === undefined || semver.valid(running) === null) return false;
  if (running === hop) return true;
  const [low, high] = semver.lte(hop, final) ? [hop, final] : [final, hop];
  return semver.gte(running, low) && semver.lte(running, high);
}
