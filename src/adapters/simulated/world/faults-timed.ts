/**
 * Timed faults (scenario/fault-timing.ts): armed at the start of the simulation by seconds, or
 * fired by the first request that matches their `when`. Starting and ending one goes through
 * World.setFaultActive, which runs the fault type's registered effect.
 */
import type { FaultTiming } from '../scenario/fault-timing.js';
import { TIMED_FAULT_TYPES } from '../scenario/faults-schema.js';
import type { World } from './world.js';
import type { WorldRequest } from './world-types.js';

function timingOf(fault: object): FaultTiming {
  return fault as FaultTiming;
}

/** Arms the faults timed by seconds (at world creation) and listens for `when` triggers. */
export function armTimedFaults(world: World, startMs: number): void {
  world.context.scenario.faults.forEach((f, index) => {
    if (!TIMED_FAULT_TYPES.has(f.type)) return;
    const { fromSeconds, untilSeconds, when } = timingOf(f);
    if (when) return;
    const startsIn = startMs + (fromSeconds ?? 0) * 1000 - world.now;
    // In force from the first instant: no event, nobody can act before it.
    if (startsIn <= 0) world.setFaultActive(index, true);
    else world.schedule(startsIn, { type: 'fault-start', index });
    if (untilSeconds !== undefined)
      world.schedule(startMs + untilSeconds * 1000 - world.now, { type: 'fault-end', index });
  });
}

/** Wires the fault-start/fault-end events and the request triggers (every world, new or loaded). */
export function registerTimedFaults(world: World): void {
  world.on('fault-start', (w, e) => {
    if (e.type === 'fault-start') w.setFaultActive(e.index, true);
  });
  world.on('fault-end', (w, e) => {
    if (e.type === 'fault-end') w.setFaultActive(e.index, false);
  });
  world.onRequest(triggerFaults);
  world.registerFaultEffect('crash', (w, _fault, on) => {
    if (on) w.crash();
  });
}

function triggerFaults(world: World, request: WorldRequest): void {
  const triggered = (world.state.faultTriggered ??= []);
  world.context.scenario.faults.forEach((f, index) => {
    const when = timingOf(f).when;
    if (!when || triggered[index] === true) return;
    if (when.request !== request.operation || when.moment !== request.moment) return;
    if (when.node !== undefined && when.node !== request.node) return;
    triggered[index] = true;
    if (when.forSeconds !== undefined)
      world.schedule((when.delaySeconds + when.forSeconds) * 1000, { type: 'fault-end', index });
    // Without a delay the fault is in force before the request goes on.
    if (when.delaySeconds === 0) world.setFaultActive(index, true);
    else world.schedule(when.delaySeconds * 1000, { type: 'fault-start', index });
    world.changed();
  });
}
