/**
 * A plan scoped as the shell workflows did: `-target` each node module instance, `-replace` only
 * the resources under it that are to be recreated, saved to a file so that what is applied is
 * exactly what was reviewed.
 */
import { DroverError } from '../../core/errors.js';
import { isInside } from '../../core/terraform-address.js';
import type { ResourceChange } from '../../ports/infrastructure.js';

export function scopedPlanArgs(
  targets: readonly string[],
  replace: readonly string[],
  lockTimeout: string,
  planFile: string,
): string[] {
  return [
    'plan',
    '-input=false',
    '-no-color',
    '-json',
    `-lock-timeout=${lockTimeout}`,
    ...targets.map((address) => `-target=${address}`),
    ...replace.map((address) => `-replace=${address}`),
    `-out=${planFile}`,
  ];
}

export function savedPlanApplyArgs(lockTimeout: string, planFile: string): string[] {
  return ['apply', '-input=false', '-no-color', '-json', `-lock-timeout=${lockTimeout}`, planFile];
}

/**
 * An address to replace that matched nothing in the state must at least be created by the plan;
 * otherwise it is a wrong address, and a plan without it would "replace" nothing silently.
 */
export function requireEveryAddressCovered(
  requested: readonly string[],
  expanded: readonly string[],
  changes: readonly ResourceChange[],
): void {
  for (const address of requested) {
    if (expanded.some((r) => isInside(r, address))) continue;
    const created = changes.some(
      (c) => isInside(c.address, address) && c.actions.includes('create'),
    );
    if (!created) {
      throw new DroverError(
        'input',
        'TF_ADDRESS_UNKNOWN',
        `${address} matches no resource to replace in the Terraform state or the plan`,
        {
          hint: "check the node's terraform address (pattern or map) in the Drover config against `terraform state list`, and that terraform.vmResourceTypes names its VM resource",
          details: { address },
        },
      );
    }
  }
}
