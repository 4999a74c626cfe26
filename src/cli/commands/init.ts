import type { Command } from 'commander';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(
      'Read an infrastructure repository (variables file, Kubernetes version source, Terraform S3 backend) and write a drover.yaml, the GitHub workflows and the external runner files consistent with it.',
    )
    .argument('[dir]', 'root of the infrastructure repository (an existing git checkout)', '.')
    .option('--force', 'overwrite files that exist (default: keep them and list them)', false)
    .option(
      '--action <repo[@ref]>',
      "where Drover is released, e.g. my-org/drover (ref default: this version's tag); the router's action and the runner's build use it",
    )
    .option(
      '--variables-file <path>',
      'the Terraform variables file (default: terraform/variables.tf or variables.tf)',
    )
    .option('--json', 'print what was written and skipped as one JSON document', false)
    .addHelpText(
      'after',
      `
Writes:
  drover.yaml, .drover/drover.schema.json
  .github/workflows/talos-version-router.yaml   (push of the versions -> route -> upgrade)
  .github/workflows/drover-upgrade.yaml         (reusable: kind cattle | pets | kubernetes)
  .github/actionlint.yaml
  deploy/runner/{Dockerfile,compose.yaml,.env.example,.gitignore,provision-vm.sh,
                 update-checksums.sh,runner-health.sh,README.md}

Refuses a directory that does not exist (it creates no parents) or is not a git checkout.

Exit codes: 0 done (also when every file existed and was kept), 2 bad usage or bad input.`,
    )
    .action(async (dir: string, options: Record<string, unknown>) => {
      const { runInitCommand } = await import('../init/run-init.js');
      process.exitCode = await runInitCommand(dir, options);
    });
}
