/**
 * Invariant scoped-terraform: an apply touches only the VM resources of the node being replaced (or the
 * templates being rebuilt). Per change of the plan:
 * - no-op and read: fine anywhere;
 * - forget (alone or with create): refused anywhere; it drops a resource from the state and
 *   leaves the real object orphaned (a VM nobody manages, or etcd secrets Terraform forgets);
 * - create or delete (replace is delete+create or create+delete): only on the plan's replaceable
 *   resources (the node's VM resources) inside the allowed addresses, and never on a
 *   bootstrap, secrets, tls or random resource, whatever the config says: recreating one
 *   bootstraps etcd a second time or rotates the cluster's identity;
 * - update: allowed inside the node's module (e.g. talos_machine_configuration_apply following
 *   the new VM), except on those identity resources; refused outside.
 */
import { DroverError } from '../core/errors.js';
import { isInside } from '../core/terraform-address.js';
import type { InfrastructurePlan, ResourceChange } from '../ports/infrastructure.js';

/** Resource types that hold the cluster's identity: never created, replaced, deleted or updated. */
const IDENTITY_TYPES = [
  /^talos_machine_bootstrap$/,
  /^talos_machine_secrets$/,
  /^tls_/,
  /^random_/,
];

/**
 * The resource type of an instance address: `module.a["k.x"].proxmox_virtual_environment_vm.this[0]`
 * gives `proxmox_virtual_environment_vm`. Module segments and quoted keys are skipped.
 */
export function resourceTypeOf(address: string): string {
  const segments: string[] = [];
  let current = '';
  let inKey = false;
  for (let i = 0; i < address.length; i += 1) {
    const ch = address[i] as string;
    if (inKey) {
      if (ch === '\\') {
        i += 1;
        continue;
      }
      if (ch === '"') inKey = false;
      continue;
    }
    if (ch === '"') inKey = true;
    else if (ch === '[' || ch === ']') continue;
    else if (ch === '.') {
      segments.push(current);
      current = '';
    } else current += ch;
  }
  segments.push(current);
  // Drop `module.<name>` pairs, and a leading `data`.
  let i = 0;
  while (segments[i] === 'module') i += 2;
  if (segments[i] === 'data') i += 1;
  return segments[i] ?? '';
}

export function isIdentityResource(address: string): boolean {
  const type = resourceTypeOf(address);
  return IDENTITY_TYPES.some((re) => re.test(type));
}

const isNoop = (c: ResourceChange) => c.actions.every((a) => a === 'no-op' || a === 'read');
const destroysOrCreates = (c: ResourceChange) =>
  c.actions.some((a) => a === 'create' || a === 'delete');

/** Why each change is out of scope, as `address (actions): reason`; empty when the plan is fine. */
export function outOfScopeChanges(plan: InfrastructurePlan, allowed: string[]): string[] {
  const replaceable = plan.replaceable;
  const out: string[] = [];
  for (const c of plan.changes) {
    if (isNoop(c)) continue;
    const label = `${c.address} (${c.actions.join(',')})`;
    const inside = allowed.some((a) => isInside(c.address, a));
    if (c.actions.includes('forget')) out.push(`${label}: forget drops it from the state`);
    else if (isIdentityResource(c.address))
      out.push(`${label}: a bootstrap, secrets, tls or random resource must never change`);
    else if (!inside) out.push(`${label}: outside ${allowed.join(', ')}`);
    else if (destroysOrCreates(c) && replaceable !== undefined && !replaceable.includes(c.address))
      out.push(`${label}: not a VM resource of the node`);
  }
  return out;
}

/** Throws PLAN_SCOPE (refused) when the plan reaches outside; PLAN_NO_REPLACEMENT when it creates nothing. */
export function assertPlanScope(plan: InfrastructurePlan, allowed: string[], what: string): void {
  const outside = outOfScopeChanges(plan, allowed);
  if (outside.length > 0) {
    throw new DroverError(
      'refused',
      'PLAN_SCOPE',
      `the Terraform plan for ${what} goes beyond its VM resources: ${outside.join('; ')}`,
      {
        hint: 'Nothing was applied and etcd was not touched. Find out why the plan drifts (pending changes in the repository or state, a resource of the node module that depends on the VM) and run again.',
        details: { allowed, outside },
      },
    );
  }
  const creates = plan.changes.some(
    (c) => c.actions.includes('create') && allowed.some((a) => isInside(c.address, a)),
  );
  if (!creates) {
    throw new DroverError(
      'failed',
      'PLAN_NO_REPLACEMENT',
      `the Terraform plan for ${what} recreates nothing`,
      {
        hint: 'Check the Terraform addresses of the node in the config match the state.',
        details: { allowed, changes: plan.changes.map((c) => c.address) },
      },
    );
  }
}
