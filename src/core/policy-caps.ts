/**
 * Settings another setting caps: they do nothing, silently, unless someone says so. Each warning
 * names both fields and what actually applies (e.g. `petsBatchSize: 3` under
 * `maxUnavailableWorkers: 1` upgrades one worker at a time, not three).
 */
import type { Policy } from './policy.js';

const field = (name: string) => `policy.disruption.${name}`;

/**
 * What the policy promises but cannot do, one sentence each; empty when nothing is capped.
 * `set`: the disruption fields the operator wrote (a default capped by another default, such as
 * petsBatchSize 3 under maxUnavailableWorkers 1, is no promise anyone made); all when omitted.
 */
export function policyCapWarnings(
  policy: Policy,
  workers: number,
  set?: ReadonlySet<string>,
): string[] {
  const d = policy.disruption;
  const wrote = (name: keyof typeof d) => set === undefined || set.has(name);
  const out: string[] = [];
  if (wrote('petsBatchSize') && d.petsBatchSize > d.maxUnavailableWorkers)
    out.push(
      `${field('petsBatchSize')} (${d.petsBatchSize}) is capped by ${field('maxUnavailableWorkers')} (${d.maxUnavailableWorkers}): pets upgrades take at most ${d.maxUnavailableWorkers} worker(s) at once`,
    );
  if (wrote('maxUnavailableDomains') && d.maxUnavailableDomains > d.maxUnavailableWorkers)
    out.push(
      `${field('maxUnavailableDomains')} (${d.maxUnavailableDomains}) is capped by ${field('maxUnavailableWorkers')} (${d.maxUnavailableWorkers}): each failure domain out needs a worker out, so at most ${d.maxUnavailableWorkers} domain(s) are`,
    );
  if (wrote('maxUnavailableWorkers') && workers > 0 && d.maxUnavailableWorkers > workers)
    out.push(
      `${field('maxUnavailableWorkers')} (${d.maxUnavailableWorkers}) is more than the ${workers} worker(s) in the config: at most ${workers} can be out at once`,
    );
  return out;
}
