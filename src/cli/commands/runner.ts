import type { Command } from 'commander';

export function registerRunner(program: Command): void {
  const runner = program.command('runner').description("The external runner's maintenance.");
  runner
    .command('check')
    .description(
      "Compare the runner image's pinned tools (deploy/runner/Dockerfile) with what the repository's variables need, and print what to bump.",
    )
    .option('--repo <dir>', 'the infrastructure repository', '.')
    .option(
      '--dockerfile <path>',
      'the runner Dockerfile, relative to --repo',
      'deploy/runner/Dockerfile',
    )
    .option(
      '--variables-file <path>',
      'the Terraform variables file (default: terraform/variables.tf or variables.tf)',
    )
    .option('--json', 'print the findings as one JSON document', false)
    .addHelpText(
      'after',
      `
Rules: talosctl on the cluster's Talos line and not older; kubectl within one minor of
Kubernetes; terraform inside the configuration's required_version.

Exit codes: 0 the runner carries what the cluster needs, 1 a bump is needed, 2 bad input.`,
    )
    .action(async (options: Record<string, unknown>) => {
      const { runRunnerCheckCommand } = await import('../runner/run-runner-check.js');
      process.exitCode = await runRunnerCheckCommand({
        repo: String(options.repo),
        dockerfile: String(options.dockerfile),
        ...(typeof options.variablesFile === 'string'
          ? { variablesFile: options.variablesFile }
          : {}),
        json: options.json === true,
      });
    });
}
