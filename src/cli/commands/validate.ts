import type { Command } from 'commander';
import { configOption, findConfigBeforeAction } from './config-option.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'Check the live cluster against the config: every node present, Ready, schedulable, at the expected versions; GPUs, HelmReleases, stuck pods.',
    )
    .addOption(configOption())
    .hook('preAction', findConfigBeforeAction(true))
    .option('--talos <version>', 'expected Talos version (default: from the config)')
    .option('--kubernetes <version>', 'expected Kubernetes version (default: from the config)')
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, then in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .option('--json', 'print the result as one JSON document on stdout', false)
    .addHelpText(
      'after',
      `
Examples:
  drover validate --config drover.yaml                    # after an upgrade, or any time
  drover validate --config drover.yaml --talos 1.11.0 --kubernetes 1.34.1 --json

A read that fails counts as a failure, never as a pass.
Exit codes: 0 the cluster is as expected, 1 it is not, 2 bad input.`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { runValidateCommand } = await import('../upgrade/run-validate-command.js');
      process.exitCode = await runValidateCommand(options);
    });
}
