/**
 * What a simulated `terraform apply` of a saved plan touches and how it fails, as Terraform and
 * bpg do: a saved plan applies once and only against the state serial it was made from; VMs of
 * a multi-target apply are created in parallel, one VM's error fails that resource only; a
 * rebuilt template gets a new VMID unless the scenario pins it.
 */
import { DroverError } from '../../../core/errors.js';
import type { ResourceChange } from '../../../ports/infrastructure.js';
import type { SavedPlan, WorldState } from '../world/state.js';
import type { World } from '../world/world.js';
import { ownerOf, VM_RESOURCE, type Owner } from './infrastructure-resources.js';

export interface ApplyScope {
  /** The owner of each change, in the plan's order. */
  owners: Owner[];
  /** Nodes whose VM the apply creates. */
  nodes: string[];
  /** Templates the apply touches. */
  templates: string[];
}

/** The saved plan with this id, if it can still be applied; else Terraform's error. */
export function loadSavedPlan(tf: WorldState['terraform'], id: string): SavedPlan {
  const saved = tf.plans[id];
  if (!saved || saved.applied)
    throw new DroverError(
      'failed',
      'TF_APPLY_FAILED',
      `Error: Failed to load "${id}" as a plan file`,
    );
  if (saved.serial !== tf.serial)
    throw new DroverError(
      'failed',
      'TF_PLAN_STALE',
      'Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created.',
    );
  return saved;
}

export function applyScope(world: World, changes: ResourceChange[]): ApplyScope {
  const owners = changes.map((c) => ownerOf(world, c.address));
  const vmNodes = changes.flatMap((c, i) => {
    const o = owners[i];
    return o?.kind === 'node' && o.vm && c.actions.includes('create') ? [o.node] : [];
  });
  const nodes = [...new Set(vmNodes.map((n) => n.name))];
  const templates = [...new Set(owners.flatMap((o) => (o.kind === 'template' ? [o.key] : [])))];
  return { owners, nodes, templates };
}

/**
 * The scenario's scripted failures for this apply: per node whose VM it creates, and the fault
 * that fails the whole apply (every VM failed, or a template rebuild failed).
 */
export function scriptedApplyFailures(
  world: World,
  scope: ApplyScope,
): { failures: Map<string, DroverError>; fault: DroverError | undefined } {
  const failures = new Map<string, DroverError>();
  for (const n of scope.nodes) {
    const failure = world.scriptedFailure('replace-vm', n);
    if (failure) failures.set(n, failure);
  }
  const fault =
    scope.nodes.length > 0
      ? failures.size === scope.nodes.length
        ? vmApplyError(world, failures, [])
        : undefined
      : scope.templates.length > 0
        ? world.scriptedFailure('rebuild-template', undefined)
        : undefined;
  return { failures, fault };
}

/**
 * The apply's error when some VMs failed, as `terraform apply -json` reports it: one error
 * diagnostic per failed resource (its address), the resources that completed (apply_complete)
 * listed so the engine knows which replacements went through. Transient only if every failure is.
 */
export function vmApplyError(
  world: World,
  failures: Map<string, DroverError>,
  completed: string[],
): DroverError {
  const failed = [...failures.keys()].flatMap(
    (n) => world.node(n)?.terraformAddresses.map((m) => `${m}.${VM_RESOURCE}`) ?? [],
  );
  const messages = [...failures.entries()].map(([n, e]) => `${n}: ${e.message}`);
  const [only] = [...failures.values()];
  // Worth another apply only when every node's failure is.
  const retry = [...failures.values()].every((e) => e.retryable);
  return new DroverError(
    'failed',
    retry ? 'SIMULATED_FAULT' : 'SIMULATED_FAULT_PERMANENT',
    failures.size === 1 && completed.length === 0 && only ? only.message : messages.join('; '),
    {
      details: {
        ...(failures.size === 1 && only ? only.details : {}),
        failed,
        completed,
      },
    },
  );
}

/** The template at the target version; a new VMID unless the scenario pins it. */
export function rebuildTemplate(world: World, key: string): void {
  const t = world.state.templates[key];
  if (!t) return;
  t.version = world.context.talos.to;
  if (world.context.scenario.terraform.templateVmIds === 'pinned') return;
  const used = new Set(Object.values(world.state.templates).map((x) => x.id));
  let id = Number(t.id) + 100;
  while (used.has(String(id))) id += 1;
  t.id = String(id);
}

/** Takes the crash-during-apply fault of this node if it has not fired yet. */
export function takeCrashDuringApply(world: World, node: string): boolean {
  const index = world
    .faults()
    .findIndex(
      (f, i) =>
        f.type === 'crash-during-apply' && f.node === node && (world.state.faultUses[i] ?? 0) === 0,
    );
  if (index < 0) return false;
  world.state.faultUses[index] = 1;
  return true;
}

export function applyCrashError(node: string, lockId: string): DroverError {
  return new DroverError(
    'failed',
    'SIMULATED_CRASH',
    `the runner died inside terraform apply of ${node} (VM destroyed, not created; state lock ${lockId} left behind)`,
  );
}
