/**
 * Invariant 3: an apply touches only the addresses of the node being replaced. Every change in
 * the plan that is not a no-op or a read must be one of the allowed addresses or inside one
 * (`module.worker_nodes["x"].foo` is inside `module.worker_nodes["x"]`); anything else refuses
 * the plan before apply.
 */
import { DroverError } from '../core/errors.js';
import type { InfrastructurePlan } from '../ports/infrastructure.js';

export function isInside(address: string, allowed: string): boolean {
  if (address === allowed) return true;
  return address.startsWith(`${allowed}.`) || address.startsWith(`${allowed}[`);
}

export function outOfScopeChanges(plan: InfrastructurePlan, allowed: string[]): string[] {
  return plan.changes
    .filter((c) => c.actions.some((a) => a !== 'no-op' && a !== 'read'))
    .filter((c) => !allowed.some((a) => isInside(c.address, a)))
    .map((c) => `${c.address} (${c.actions.join(',')})`);
}

/** Throws PLAN_SCOPE (refused) when the plan reaches outside; PLAN_NO_REPLACEMENT when it creates nothing. */
export function assertPlanScope(plan: InfrastructurePlan, allowed: string[], what: string): void {
  const outside = outOfScopeChanges(plan, allowed);
  if (outside.length > 0) {
    throw new DroverError(
      'refused',
      'PLAN_SCOPE',
      `the Terraform plan for ${what} touches resources outside ${allowed.join(', ')}: ${outside.join('; ')}`,
      {
        hint: 'Nothing was applied. Find out why the plan drifts (pending changes in the repository or state) and run again.',
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
