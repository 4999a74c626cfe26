/** `drover upgrade`: a real cluster. Only commander is loaded here; the run loads on use. */
import { Option } from 'commander';
import type { Command } from 'commander';
import { addAllowOptions } from './allow-options.js';
import { addReleaseGateOptions } from './release-gate-options.js';
import { configOption, findConfigBeforeAction } from './config-option.js';
import { addSelectionOptions, SELECTION_HELP } from './selection-options.js';
import { UPGRADE_KINDS } from '../../core/plan.js';

const HELP_AFTER = `
Examples:
  drover upgrade cattle --config drover.yaml --to 1.11.0 --dry-run
  drover upgrade cattle --config drover.yaml --to 1.11.0 --resume --json > report.json
  drover upgrade kubernetes --config drover.yaml --to 1.34.1
  drover upgrade cattle --config drover.yaml --to 1.11.0 --canary 2 --resume   # then without --canary
${SELECTION_HELP}

Secrets come only from the environment (AWS_*, TALOSCONFIG, SOPS keys, the machine-config
variables named in the config) and never appear in output, the journal or the report.
Exit codes: 0 done, 1 failed or aborted, 2 bad input, 3 refused by a safety rule (or
outside every maintenance window), 4 stopped cleanly between nodes at the end of the
maintenance window (run again with --resume inside the next one).`;

/** The run itself: versions, dry run or resume, and what it writes. */
function addRunOptions(command: Command): Command {
  return command
    .requiredOption(
      '--to <version>',
      'target version (Talos for cattle/pets, Kubernetes for kubernetes)',
    )
    .option(
      '--from <version>',
      'current version (default: from the config, checked against the live cluster)',
    )
    .option(
      '--dry-run',
      'check the live cluster and print what would happen; change nothing',
      false,
    )
    .option('--resume', 'continue the run recorded in the journal (safe when there is none)', false)
    .option('--journal <file>', 'journal file (JSONL) (default: journal.file of the config)')
    .option(
      '--report <file>',
      'write the JSON report here too, and beside it the Markdown summary (.md) and the timeline picture (report.json -> report.timeline.svg)',
    )
    .option(
      '--audit <file>',
      'audit log (JSONL) of every action and its inputs, secrets redacted',
      'drover-audit.jsonl',
    );
}

/** How the cluster is reached, and the config settings a flag overrides for one run. */
function addClusterOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, then in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .option('--talosconfig <file>', 'talosconfig (default: TALOSCONFIG)')
    .option('--json', 'print the report as one JSON document on stdout', false)
    .addOption(
      new Option(
        '--outside-window <mode>',
        'started outside every maintenance window: wait for the next, or exit 3 (default: maintenance.outsideWindow)',
      ).choices(['wait', 'exit']),
    )
    .addOption(
      new Option(
        '--installer-images <mode>',
        'before the first node: check every installer image in its registry, or skip the lookup (a runner that cannot reach the registry) (default: preflight.installerImages)',
      ).choices(['check', 'skip']),
    );
}

export function registerUpgrade(program: Command): void {
  const command = program
    .command('upgrade')
    .description(
      'Upgrade a real cluster: cattle (replace VMs), pets (in place) or kubernetes (upgrade-k8s).',
    )
    .argument('<kind>', `upgrade kind: ${UPGRADE_KINDS.join(' | ')}`)
    .addOption(configOption())
    .hook('preAction', findConfigBeforeAction(true));
  addSelectionOptions(
    addReleaseGateOptions(addAllowOptions(addClusterOptions(addRunOptions(command)))),
  )
    .addHelpText('after', HELP_AFTER)
    .action(async (kind: string, options: Record<string, unknown>) => {
      const { runUpgradeCommand } = await import('../upgrade/run-upgrade-command.js');
      process.exitCode = await runUpgradeCommand(kind, options);
    });
}
