/** Whether a selection fits the plan and the inventory: every refusal is exit 2 with a hint. */
import type { CodeIn } from './error-codes.js';
import { DroverError } from './errors.js';
import { NODE_ROLES } from './inventory.js';
import type { Inventory } from './inventory.js';
import type { Plan } from './plan.js';
import { SELECTABLE_PHASES, selectionFlags } from './selection-flags.js';
import type { Selection } from './selection-flags.js';

export function usage(
  code: CodeIn<'usage'>,
  message: string,
  hint: string,
  details?: Record<string, unknown>,
) {
  return new DroverError('usage', code, message, { hint, ...(details ? { details } : {}) });
}

export function checkSelection(plan: Plan, inventory: Inventory, s: Selection): void {
  checkSelectionFitsKind(plan, s);
  checkFlagValues(s);
  checkCanaryAlone(s);
  checkNodesKnown(inventory, s);
}

/** A Kubernetes upgrade takes no selection at all; a pets upgrade has no templates phase. */
function checkSelectionFitsKind(plan: Plan, s: Selection): void {
  if (plan.kind === 'kubernetes') {
    throw usage(
      'SELECTION_NOT_FOR_KIND',
      `${selectionFlags(s)}: a Kubernetes upgrade cannot be limited to nodes, roles or phases`,
      'talosctl upgrade-k8s upgrades the control plane components and every kubelet in one operation; run it without --nodes, --role, --limit, --phase and --canary.',
    );
  }
  if (plan.kind === 'pets' && s.phases?.includes('templates')) {
    throw usage(
      'SELECTION_NOT_FOR_KIND',
      '--phase templates: a pets upgrade has no templates (it upgrades in place)',
      'Use --phase controlplane or --phase workers, or plan a cattle upgrade to rebuild templates.',
    );
  }
}

function checkFlagValues(s: Selection): void {
  for (const [flag, n] of [
    ['--limit', s.limit],
    ['--canary', s.canary],
  ] as const) {
    if (n !== undefined && (!Number.isInteger(n) || n < 1))
      throw usage(
        'SELECTION_INVALID',
        `${flag} ${n}: must be a whole number of at least 1`,
        `Example: ${flag} 2`,
      );
  }
  if (s.role !== undefined && !(NODE_ROLES as readonly string[]).includes(s.role))
    throw usage(
      'SELECTION_INVALID',
      `--role ${s.role}: not one of ${NODE_ROLES.join(', ')}`,
      'Example: --role worker',
    );
  for (const p of s.phases ?? [])
    if (!(SELECTABLE_PHASES as readonly string[]).includes(p))
      throw usage(
        'SELECTION_INVALID',
        `--phase ${p}: not one of ${SELECTABLE_PHASES.join(', ')}`,
        'Example: --phase workers',
      );
}

/** --canary picks workers itself: a limit, the control plane or another phase contradict it. */
function checkCanaryAlone(s: Selection): void {
  if (s.canary === undefined) return;
  const clash = [
    ...(s.limit !== undefined ? ['--limit'] : []),
    ...(s.role === 'controlplane' ? ['--role controlplane'] : []),
    ...((s.phases ?? []).some((p) => p !== 'workers') ? ['--phase'] : []),
  ];
  if (clash.length > 0)
    throw usage(
      'SELECTION_CONFLICT',
      `--canary upgrades workers only and cannot be combined with ${clash.join(', ')}`,
      'Example: --canary 2 (the first two workers), or --canary 1 --nodes k8s-work-4 to choose it.',
    );
}

function checkNodesKnown(inventory: Inventory, s: Selection): void {
  const known = new Set(inventory.nodes.map((n) => n.name));
  const unknown = (s.nodes ?? []).filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new DroverError(
      'input',
      'SELECTION_UNKNOWN_NODES',
      `--nodes: not in the config: ${unknown.join(', ')}`,
      {
        hint: `Name nodes of the config's nodes list (${[...known].slice(0, 6).join(', ')}${known.size > 6 ? ', ...' : ''}).`,
        details: { unknown },
      },
    );
  }
}
