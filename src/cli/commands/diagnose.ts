import type { Command } from 'commander';
import { configOption, findConfigBeforeAction } from './config-option.js';

export function registerDiagnose(program: Command): void {
  program
    .command('diagnose')
    .description(
      'After a failed upgrade: write a bundle (nodes, problem pods, Ceph, etcd members and status, the journal tail, the report), secrets redacted. Reads only.',
    )
    .addOption(configOption())
    .hook('preAction', findConfigBeforeAction(true))
    .option('--out <dir>', 'where to write diagnose.json and summary.md', 'drover-diagnose')
    .option('--journal <file>', "the run's journal (its last 50 entries go in)")
    .option('--report <file>', "the run's report (JSON)")
    .option('--kubeconfig <file>', 'kubeconfig (default: KUBECONFIG, then in-cluster)')
    .option('--talosconfig <file>', 'talosconfig (default: TALOSCONFIG)')
    .option('--json', 'print the bundle as one JSON document', false)
    .addHelpText(
      'after',
      `
A read that fails is recorded as unknown with its error; the others still run.

Exit codes: 0 the bundle was written (whatever it says), 2 bad input.`,
    )
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const { runDiagnoseCommand } = await import('../diagnose/run-diagnose.js');
      const text = (k: string) => (typeof options[k] === 'string' ? { [k]: options[k] } : {});
      process.exitCode = await runDiagnoseCommand({
        config: String(options.config),
        out: String(options.out),
        ...text('journal'),
        ...text('report'),
        ...text('kubeconfig'),
        ...text('talosconfig'),
        json: options.json === true,
      });
    });
}
