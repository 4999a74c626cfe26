/**
 * `drover route`: which upgrade a version bump in the infrastructure repository needs.
 * Only commander is loaded here; the implementation (git, the HCL parser) loads on use.
 */
import type { Command } from 'commander';
import { configOption, findConfigBeforeAction } from './config-option.js';

const HELP_AFTER = `
How it decides (Talos, from the variables file at --base and --head):
  equal                          none
  same X.Y, higher patch         pets    (in-place talosctl upgrade)
  higher minor or major          cattle  (nodes rebuilt from a new template)
  lower                          refused [DOWNGRADE], or cattle with --allow-downgrade
  lower by more than one hop     refused [DOWNGRADE_MULTI_HOP] naming the hops, whatever the flags
  not one hop per the data       refused [FORBIDDEN_HOP] naming the hops, or pets (in place, a phase per hop) with --allow-multi-hop
  line not in the data           refused [UNKNOWN_TARGET_LINE], or routed with --allow-unknown
  release gate (--release-list)  refused [RELEASE_UNKNOWN | RELEASE_NOT_LATEST_PATCH | RELEASE_TOO_NEW]
Kubernetes (kubernetes_version, or --kubernetes-file/--kubernetes-key) is routed beside it:
  none | kubernetes (patch or one minor up) | refused [K8S_DOWNGRADE | K8S_SKIPPED_MINOR | K8S_OUT_OF_RANGE]

Values are read as Terraform sees them: terraform.tfvars and *.auto.tfvars beside the
variables file override the variable's default (a disagreement is reported as a warning).

Examples:
  drover route                                   # HEAD^ -> HEAD in the current repository
  drover route --repo ../infra --json            # one JSON object on stdout
  drover route --base origin/main --head HEAD    # a whole pull request
  drover route --kubernetes-file talos/talenv.yaml --kubernetes-key kubernetesVersion
  drover route --base v1.8.3-cluster --allow-multi-hop   # route a multi-hop jump in place (pets)

Exit codes: 0 routed (or nothing to do), 2 bad usage or input (missing file, variable,
revision, bad version), 3 refused by a safety rule (the JSON is still printed).
In GitHub Actions (GITHUB_OUTPUT set) every field is also a step output, and a Markdown
summary is appended to GITHUB_STEP_SUMMARY; on a push the base defaults to the push's
"before" revision (checkout with fetch-depth: 0).`;

interface RouteFlags {
  repo: string;
  base?: string;
  head: string;
  file: string;
  json?: boolean;
  talosVariable: string;
  kubernetesVariable: string;
  kubernetesFile?: string;
  kubernetesKey: string;
  allowDowngrade?: boolean;
  allowMultiHop?: boolean;
  allowUnknown?: boolean;
  allowPrerelease?: boolean;
  releaseList?: string;
  minReleaseAge?: string;
  config?: string;
}

/** Where the versions are read: the repository, the two revisions, the files and names. */
function addVersionSourceOptions(command: Command): Command {
  return command
    .option('--repo <dir>', 'the git repository (a subdirectory is fine)', '.')
    .option(
      '--base <rev>',
      'revision before the change (default: the push\'s "before" in GitHub Actions, else <head>^)',
    )
    .option('--head <rev>', 'revision with the change', 'HEAD')
    .option('--file <path>', 'variables file, relative to --repo', 'terraform/variables.tf')
    .option('--json', 'print one JSON object on stdout')
    .option(
      '--talos-variable <name>',
      'Terraform variable holding the Talos version',
      'talos_version',
    )
    .option(
      '--kubernetes-variable <name>',
      'Terraform variable holding the Kubernetes version',
      'kubernetes_version',
    )
    .option(
      '--kubernetes-file <path>',
      'read Kubernetes from this YAML file instead (e.g. talos/talenv.yaml)',
    )
    .option(
      '--kubernetes-key <key>',
      'key in --kubernetes-file (dots for nesting)',
      'kubernetesVersion',
    );
}

/** What the route may allow past a refusal, and the release gate over the Talos target. */
function addRouteAllowOptions(command: Command): Command {
  return command
    .option(
      '--allow-downgrade',
      'route a lower Talos version to cattle (is_downgrade=true) instead of refusing',
    )
    .option(
      '--allow-multi-hop',
      'route a jump the compatibility data forbids in one hop in place (pets), listing the hops',
    )
    .option('--allow-unknown', 'route a Talos line the compatibility data does not know')
    .option('--allow-prerelease', 'accept pre-release versions such as 1.12.0-beta.1')
    .option(
      '--release-list <file>',
      'release gate: YAML/JSON list of { version, publishedAt }; the Talos target must be the newest patch of its line in it (overrides releaseGate.releaseList of the config)',
    )
    .option(
      '--min-release-age <days>',
      'release gate: the Talos target must have been published at least this many days ago (overrides releaseGate.minAgeDays)',
    );
}

async function routeAction(flags: RouteFlags): Promise<void> {
  const { routeCommand } = await import('../route/route-command.js');
  const { loadConfig } = await import('../../app/config/load-config.js');
  const { releaseGateConfigOf } = await import('../../app/config/release-gate-config.js');
  const loaded = flags.config ? await loadConfig(flags.config) : undefined;
  process.exitCode = await routeCommand(
    {
      repo: flags.repo,
      base: flags.base,
      head: flags.head,
      file: flags.file,
      json: flags.json === true,
      talosVariable: flags.talosVariable,
      kubernetesVariable: flags.kubernetesVariable,
      kubernetesFile: flags.kubernetesFile,
      kubernetesKey: flags.kubernetesKey,
      allowDowngrade: flags.allowDowngrade === true,
      allowMultiHop: flags.allowMultiHop === true,
      allowUnknown: flags.allowUnknown === true,
      allowPrerelease: flags.allowPrerelease === true,
      ...(flags.releaseList ? { releaseList: flags.releaseList } : {}),
      ...(flags.minReleaseAge ? { minReleaseAgeDays: Number(flags.minReleaseAge) } : {}),
      ...(loaded ? { releaseGateConfig: releaseGateConfigOf(loaded) } : {}),
      env: process.env,
    },
    {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    },
  );
}

export function registerRoute(program: Command): void {
  const command = program
    .command('route')
    .summary('decide the upgrade a version bump needs: none, pets, cattle, kubernetes or refused')
    .description(
      'Reads talos_version and kubernetes_version from the variables file at two revisions of a git repository and decides the upgrade route.',
    );
  addRouteAllowOptions(addVersionSourceOptions(command))
    .addOption(
      configOption(
        'drover.yaml whose releaseGate applies (default: $DROVER_CONFIG, then ./drover.yaml when present)',
      ),
    )
    .hook('preAction', findConfigBeforeAction(false))
    .addHelpText('after', HELP_AFTER)
    .action(routeAction);
}
