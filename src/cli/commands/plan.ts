import type { Command } from 'commander';
import { addAllowOptions, allowancesFrom } from './allow-options.js';
import { addReleaseGateOptions } from './release-gate-options.js';
import { configOption, findConfigBeforeAction } from './config-option.js';
import { addSelectionOptions, SELECTION_HELP } from './selection-options.js';
import { UPGRADE_KINDS } from '../../core/plan.js';

export function registerPlan(program: Command): void {
  const command = program
    .command('plan')
    .description('Print the plan of an upgrade from the config alone (no cluster needed).')
    .argument('<kind>', `upgrade kind: ${UPGRADE_KINDS.join(' | ')}`)
    .addOption(configOption())
    .hook('preAction', findConfigBeforeAction(true))
    .requiredOption(
      '--to <version>',
      'target version (Talos for cattle/pets, Kubernetes for kubernetes)',
    )
    .option(
      '--from <version>',
      'current version (default: versions.talos, or versions.kubernetes for kubernetes)',
    )
    .option(
      '--kubernetes-from <version>',
      'current Kubernetes version for a Talos plan (default: versions.kubernetes)',
    )
    .option('--json', 'print the plan as one JSON document on stdout', false);
  addSelectionOptions(addReleaseGateOptions(addAllowOptions(command)))
    .addHelpText('after', SELECTION_HELP)
    .addHelpText(
      'after',
      `
Examples:
  drover plan cattle --config drover.yaml --to 1.11.0
  drover plan pets --config drover.yaml --to 1.10.9 --json > plan.json
  drover plan kubernetes --config drover.yaml --to 1.34.1
  drover plan cattle --config drover.yaml --to 1.11.0 --canary 2

Exit codes: 0 plan printed, 2 bad input (the field is named), 3 refused (downgrade, forbidden hop, unknown line,
Kubernetes outside the Talos line's range), as drover route refuses them.`,
    )
    .action(async (kind: string, options: Record<string, unknown>) => {
      const { runPlanCommand } = await import('../plan/run-plan-command.js');
      process.exitCode = await runPlanCommand(kind, {
        ...(options as unknown as Parameters<typeof runPlanCommand>[1]),
        allow: allowancesFrom(options),
      });
    });
}
