/**
 * `--release-list` and `--min-release-age` on `plan`, `upgrade` and `simulate` (route has its
 * own with the same names): the release gate of core/refusals.ts, whose hint names them. Each
 * overrides the matching field of the config's `releaseGate`.
 */
import type { Command } from 'commander';

export function addReleaseGateOptions(command: Command): Command {
  return command
    .option(
      '--release-list <file>',
      'release gate: YAML/JSON list of { version, publishedAt }; refuse a Talos target that is not the newest patch of its line in it (overrides releaseGate.releaseList)',
    )
    .option(
      '--min-release-age <days>',
      'release gate: refuse a Talos target published fewer than this many days ago (overrides releaseGate.minAgeDays)',
    );
}
