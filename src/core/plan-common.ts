/**
 * Pieces the plan builders share: version normalisation, inventory checks and step factories.
 * Step ids follow plan.ts: `<node>/<action>` inside a unit, `cluster/<action>[/<n>]` for
 * cluster-wide steps and `template/<address>` for template rebuilds.
 */
import semver from 'semver';
import { DroverError } from './errors.js';
import { storageDomain } from './inventory.js';
import type { Inventory, InventoryNode } from './inventory.js';
import type { Plan, PlanPhase, PlanStep, StepAction, StepParamValue } from './plan.js';
import { allSteps } from './plan.js';
import type { ParamlessAction, StepOf, StepParams } from './plan-step.js';
import type { Policy } from './policy.js';

type Params = Record<string, StepParamValue | undefined>;
/** What the factories build before the overloads give it its action's type. */
type LooseStep = Omit<PlanStep, 'action' | 'params'> & {
  action: StepAction;
  params: Record<string, StepParamValue>;
};

/** `v1.11.0` and `1.11.0` are the same version; plans carry the bare form. */
export function normalizeVersion(field: string, value: string): string {
  const bare = value.trim().replace(/^v/, '');
  if (semver.valid(bare) === null) {
    throw new DroverError('input', 'VERSION_INVALID', `${field} "${value}" is not a version`, {
      hint: 'Give a full version such as 1.11.0 (a leading v is allowed).',
      details: { field, value },
    });
  }
  return bare;
}

function dropUndefined(params: Params): Record<string, StepParamValue> {
  const out: Record<string, StepParamValue> = {};
  for (const [key, value] of Object.entries(params)) if (value !== undefined) out[key] = value;
  return out;
}

// The overloads tie params to the action: a step built without its params does not compile.
export function nodeStep<A extends ParamlessAction>(
  node: InventoryNode,
  action: A,
  title: string,
): StepOf<A>;
export function nodeStep<A extends StepAction>(
  node: InventoryNode,
  action: A,
  title: string,
  params: StepParams<A>,
): StepOf<A>;
export function nodeStep(
  node: InventoryNode,
  action: StepAction,
  title: string,
  params: Params = {},
): LooseStep {
  return {
    id: `${node.name}/${action}`,
    action,
    node: node.name,
    params: dropUndefined(params),
    title,
  };
}

export function clusterStep<A extends ParamlessAction>(action: A, title: string): StepOf<A>;
export function clusterStep<A extends StepAction>(
  action: A,
  title: string,
  params: StepParams<A>,
  sequence?: number,
): StepOf<A>;
export function clusterStep(
  action: StepAction,
  title: string,
  params: Params = {},
  sequence?: number,
): LooseStep {
  const id = sequence === undefined ? `cluster/${action}` : `cluster/${action}/${sequence}`;
  return { id, action, params: dropUndefined(params), title };
}

/** The node's VM resources, never none: checkInventory refuses a cattle node without them. */
export function terraformAddressesOf(node: InventoryNode): [string, ...string[]] {
  const [first, ...rest] = node.terraformAddresses;
  if (first === undefined) {
    throw new DroverError(
      'input',
      'INVENTORY_INVALID',
      `inventory: nodes.${node.name}.terraformAddresses: empty, nothing to replace`,
      { hint: 'Fix the named fields in the config (or scenario) and run again.' },
    );
  }
  return [first, ...rest];
}

/** The node's storage domain when Ceph noout applies to it, else undefined. */
export function nooutDomain(node: InventoryNode, policy: Policy): string | undefined {
  return policy.cephNoout && node.storage?.osd === true ? storageDomain(node) : undefined;
}

export function hasStorage(inventory: Inventory): boolean {
  return inventory.nodes.some((n) => n.storage?.osd === true);
}

/** Checks the inventory the builders rely on; every problem names the node and the field. */
export function checkInventory(inventory: Inventory, opts: { cattle: boolean }): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const node of inventory.nodes) {
    if (seen.has(node.name)) problems.push(`nodes: "${node.name}" is listed twice`);
    seen.add(node.name);
    for (const patch of node.patches) {
      if (inventory.patches[patch] === undefined)
        problems.push(`nodes.${node.name}.patches: unknown patch "${patch}"`);
    }
    if (opts.cattle && inventory.templates[node.template] === undefined)
      problems.push(`nodes.${node.name}.template: unknown template "${node.template}"`);
    if (node.terraformAddresses.length === 0 && opts.cattle)
      problems.push(`nodes.${node.name}.terraformAddresses: empty, nothing to replace`);
  }
  if (inventory.nodes.length === 0) problems.push('nodes: the inventory has no nodes');
  if (problems.length > 0) {
    throw new DroverError('input', 'INVENTORY_INVALID', `inventory: ${problems.join('; ')}`, {
      hint: 'Fix the named fields in the config (or scenario) and run again.',
      details: { problems },
    });
  }
}

/** Plan ids must be unique: the journal and resume key on them. */
export function assertUniqueStepIds(plan: Plan): Plan {
  const seen = new Set<string>();
  for (const step of allSteps(plan)) {
    if (seen.has(step.id)) {
      throw new DroverError('input', 'PLAN_DUPLICATE_STEP', `two steps share the id ${step.id}`, {
        hint: 'Node names and template addresses must be unique in the inventory.',
      });
    }
    seen.add(step.id);
  }
  return plan;
}

/** Target hops: the caller's list (must end at `to`), else just `to`. */
export function targetHops(to: string, hops: string[] | undefined): string[] {
  if (hops === undefined || hops.length === 0) return [to];
  const normalized = hops.map((h, i) => normalizeVersion(`hops[${i}]`, h));
  if (normalized[normalized.length - 1] !== to) {
    throw new DroverError('input', 'HOPS_INVALID', `the last hop must be the target ${to}`, {
      hint: 'List the hops in order, ending with the target version.',
      details: { hops: normalized, to },
    });
  }
  return normalized;
}

/** Workers start only once the API server answered ready several times in a row. */
export function apiStableStep(policy: Policy): PlanStep {
  const passes = policy.timeouts.apiServerStablePasses;
  return clusterStep(
    'gate-api-stable',
    `Wait for the API server to be ready ${passes} times in a row`,
    {
      passes,
    },
  );
}

export function validationPhase(
  inventory: Inventory,
  talos: string,
  kubernetes: string | undefined,
): PlanPhase {
  const expectedNodes = inventory.nodes.map((n) => n.name);
  const versions =
    kubernetes === undefined ? `Talos ${talos}` : `Talos ${talos}, Kubernetes ${kubernetes}`;
  return {
    id: 'validation',
    title: 'Validate the cluster',
    steps: [
      clusterStep(
        'validate-cluster',
        `Every one of ${expectedNodes.length} nodes present, Ready, schedulable, at ${versions}`,
        { talos, kubernetes, expectedNodes },
      ),
    ],
    units: [],
    concurrency: 'one-at-a-time',
  };
}
