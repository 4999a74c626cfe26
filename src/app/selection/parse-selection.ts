/**
 * The selection flags as commander hands them over (strings), checked at the boundary: a bad
 * value is exit 2 naming the flag. Whether the selection fits the plan (unknown nodes, a kind
 * that cannot be selected) is decided by core/selection.ts.
 */
import { DroverError } from '../../core/errors.js';
import { NODE_ROLES } from '../../core/inventory.js';
import type { NodeRole } from '../../core/inventory.js';
import { SELECTABLE_PHASES } from '../../core/selection.js';
import type { SelectablePhase, Selection } from '../../core/selection.js';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== ''
    ? value.trim()
    : typeof value === 'number'
      ? String(value)
      : undefined;

function bad(flag: string, value: string, expected: string, example: string): DroverError {
  return new DroverError('usage', 'SELECTION_INVALID', `${flag} ${value}: ${expected}`, {
    hint: `Example: ${flag} ${example}`,
  });
}

function list(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    ),
  ];
}

function count(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw bad(flag, value, 'must be a whole number of at least 1', '2');
  return Number(value);
}

/** `raw`: commander's option bag (or the Action's inputs mapped to the same names). */
export function selectionFromFlags(raw: Record<string, unknown>): Selection {
  const nodes = text(raw.nodes);
  const role = text(raw.role);
  const phase = text(raw.phase);
  const limit = count('--limit', text(raw.limit));
  const canary = count('--canary', text(raw.canary));
  if (role !== undefined && !(NODE_ROLES as readonly string[]).includes(role))
    throw bad('--role', role, `not one of ${NODE_ROLES.join(', ')}`, 'worker');
  const phases = phase === undefined ? undefined : list(phase);
  for (const p of phases ?? [])
    if (!(SELECTABLE_PHASES as readonly string[]).includes(p))
      throw bad('--phase', p, `not one of ${SELECTABLE_PHASES.join(', ')}`, 'workers');
  const names = nodes === undefined ? undefined : list(nodes);
  if (names !== undefined && names.length === 0)
    throw bad('--nodes', JSON.stringify(nodes), 'names no node', 'k8s-work-1,k8s-work-2');
  return {
    ...(names ? { nodes: names } : {}),
    ...(role ? { role: role as NodeRole } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(phases?.length ? { phases: phases as SelectablePhase[] } : {}),
    ...(canary !== undefined ? { canary } : {}),
  };
}
