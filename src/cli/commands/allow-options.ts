/**
 * The three flags that let a refusal through, the same on `route`, `plan`, `upgrade` and
 * `simulate` (core/refusals.ts names them in every hint): each command decides from the same
 * data, so each must offer the same way past a refusal.
 */
import type { Command } from 'commander';

export interface AllowFlags {
  allowDowngrade?: boolean;
  allowMultiHop?: boolean;
  allowUnknown?: boolean;
}

export function addAllowOptions(command: Command): Command {
  return command
    .option('--allow-downgrade', 'go to a lower version instead of refusing (exit 3)')
    .option(
      '--allow-multi-hop',
      'run a jump the compatibility data forbids in one hop as consecutive hops, each to the latest known patch of its line',
    )
    .option('--allow-unknown', 'go to a Talos line the compatibility data does not know');
}

/** commander's option bag -> the allowances core's refusals take. */
export function allowancesFrom(raw: Record<string, unknown>): Required<AllowFlags> {
  return {
    allowDowngrade: raw.allowDowngrade === true,
    allowMultiHop: raw.allowMultiHop === true,
    allowUnknown: raw.allowUnknown === true,
  };
}
