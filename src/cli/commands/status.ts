import type { Command } from 'commander';
import { configOption, findConfigBeforeAction } from './config-option.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'Read a journal and say where the run is or stopped, what it leaves cordoned, and what --resume would do next.',
    )
    .requiredOption('--journal <file>', "the run's journal (JSONL)")
    .addOption(
      configOption(
        'drover.yaml: adds the S3 copy of the journal (journal.s3) and the steps --resume would run (default: $DROVER_CONFIG, then ./drover.yaml when there is one)',
      ),
    )
    .hook('preAction', findConfigBeforeAction(false))
    .option('--json', 'print the status as one JSON document', false)
    .addHelpText(
      'after',
      `
Reads only: the journal file and, with journal.s3 in the config, its S3 copy (the longer
record wins, as for --resume). Nothing in the cluster is touched.

Exit codes: 0 the journal was read (whatever the run's state), 2 bad input.`,
    )
    .action(async (options: { journal: string; config?: string; json?: boolean }) => {
      const { runStatusCommand } = await import('../status/status-command.js');
      process.exitCode = await runStatusCommand({
        journal: options.journal,
        ...(options.config !== undefined ? { config: options.config } : {}),
        json: options.json === true,
      });
    });
}
