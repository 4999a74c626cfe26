/**
 * The scenario's faults as the world asks about them: a step-fails fault matching a request
 * (counted per use), and whether a fault of a type is scripted (a timed one: in force now).
 */
import { DroverError } from '../../../core/errors.js';
import type { Operation } from '../scenario/fault-timing.js';
import { TIMED_FAULT_TYPES } from '../scenario/faults-schema.js';
import type { ScenarioFault } from '../scenario/schema.js';
import type { WorldState } from './state.js';

/** Requests that take a node or an etcd member away (the acts invariant recheck-before-act guards). */
export const DESTRUCTIVE: ReadonlySet<Operation> = new Set([
  'replace-vm',
  'talos-upgrade',
  'etcd-leave',
  'etcd-remove-member',
]);

/**
 * Fault types that take a node or an etcd member out on their own (a new one adds its type):
 * a breach they cause while Drover's destructive request is under way is not Drover's.
 */
export const FAULTS_TAKING_OUT = new Set<string>(['node-down', 'etcd-unhealthy']);

/**
 * The scripted failure when a step-fails fault matches this call, its use counted in `state`
 * (`changed` is told); undefined when none matches.
 */
export function scriptedFailure(
  faults: readonly ScenarioFault[],
  state: WorldState,
  changed: () => void,
  action: Operation,
  node: string | undefined,
): DroverError | undefined {
  for (let i = 0; i < faults.length; i++) {
    const f = faults[i];
    if (!f || f.type !== 'step-fails' || f.action !== action) continue;
    if (f.node !== undefined && f.node !== node) continue;
    const used = state.faultUses[i] ?? 0;
    if (f.times !== 'always' && used >= f.times) continue;
    state.faultUses[i] = used + 1;
    changed();
    const transient = f.transient ?? f.times !== 'always';
    return new DroverError(
      'failed',
      transient ? 'SIMULATED_FAULT' : 'SIMULATED_FAULT_PERMANENT',
      f.message ??
        `simulated ${action} failure${node ? ` on ${node}` : ''} (${used + 1}${f.times === 'always' ? '' : `/${f.times}`})`,
      { details: { fault: i, action, ...(node ? { node } : {}) } },
    );
  }
  return undefined;
}

/** A fault of this type matching `match` is scripted (and, when timed, in force now). */
export function hasFault(
  faults: readonly ScenarioFault[],
  state: WorldState,
  type: ScenarioFault['type'],
  match: (f: ScenarioFault) => boolean,
): boolean {
  return faults.some((f, i) => {
    if (f.type !== type || !match(f)) return false;
    if (TIMED_FAULT_TYPES.has(f.type)) return state.faultActive[i] === true;
    return true;
  });
}
