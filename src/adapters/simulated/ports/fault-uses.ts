/**
 * Faults that fire a number of times (`times`: a count, 'always', or none: every time): the
 * first matching fault with uses left fires, and its use is counted in the world's state (so a
 * resumed run sees what the dead one used up).
 */
import type { ScenarioFault } from '../scenario/schema.js';
import type { World } from '../world/world.js';

export function takeFaultUse<K extends ScenarioFault['type']>(
  world: World,
  type: K,
  matches: (fault: Extract<ScenarioFault, { type: K }>) => boolean = () => true,
): Extract<ScenarioFault, { type: K }> | undefined {
  const faults = world.faults();
  for (let i = 0; i < faults.length; i++) {
    const f = faults[i];
    if (!f || f.type !== type || !matches(f as Extract<ScenarioFault, { type: K }>)) continue;
    const times = 'times' in f && typeof f.times === 'number' ? f.times : Infinity;
    const used = world.state.faultUses[i] ?? 0;
    if (used >= times) continue;
    world.state.faultUses[i] = used + 1;
    world.changed();
    return f as Extract<ScenarioFault, { type: K }>;
  }
  return undefined;
}
