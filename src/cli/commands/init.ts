import type { Command } from 'commander';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'Write a starter drover.yaml, the GitHub workflows and the external runner files into an infrastructure repository.',
    )
    .argument('[dir]', 'root of the infrastructure repository', '.')
    .option('--force', 'overwrite files that exist (default: keep them and list them)', false)
    .option('--action <ref>', "where Drover's route action is published, e.g. my-org/drover@v1")
    .option('--json', 'print what was written and skipped as one JSON document', false)
    .addHelpText(
      'after',
      `
Writes:
  drover.yaml, .drover/drover.schema.json
  .github/workflows/{talos-version-router,upgrade-cattle,upgrade-pets,upgrade-kubernetes}.yaml
  .github/actionlint.yaml
  deploy/runner/{Dockerfile,compose.yaml,.env.example,.gitignore,provision-vm.sh,update-checksums.sh,README.md}

Exit codes: 0 done (also when every file existed and was kept), 2 bad input.`,
    )
    .action(async (dir: string, options: Record<string, unknown>) => {
      const { runInitCommand } = await import('../init/run-init.js');
      process.exitCode = await runInitCommand(dir, options);
    });
}
