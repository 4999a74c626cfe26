import type { Command } from 'commander';

/**
 * `--nodes`, `--role`, `--limit`, `--phase`, `--canary` for plan, upgrade and simulate: parsed and
 * checked by app/selection/parse-selection.ts and applied by core/selection.ts. Only commander
 * loads here.
 */
export function addSelectionOptions(command: Command): Command {
  return command
    .option('--nodes <names>', 'only these nodes, comma-separated (e.g. k8s-work-1,k8s-work-2)')
    .option('--role <role>', 'only nodes of this role: worker | controlplane')
    .option(
      '--limit <n>',
      'at most N nodes of the selection not yet at the target, in plan order (control plane first)',
    )
    .option(
      '--phase <phases>',
      'only these phases, comma-separated: templates | controlplane | workers',
    )
    .option(
      '--canary <n>',
      'upgrade the first N workers not yet at the target, run the post checks and custom gates, stop (exit 0)',
    );
}

export const SELECTION_HELP = `
Selection (cattle and pets; a kubernetes upgrade is one cluster-wide operation and refuses it):
  --canary 2                          the first two workers, then the post checks and custom gates;
                                      the run stops (exit 0) and says what the full run does next
  --nodes k8s-work-4,k8s-work-10      only these nodes (a name not in the config: exit 2)
  --role controlplane                 the control plane only; the workers are left alone
  --phase templates                   cattle: rebuild the templates only, touch no node
  --phase workers                     skip the control plane (cattle rebuilds the workers' templates first)
  --role worker --limit 3             the first three workers not yet at the target (run again: the next three)
A selected run leaves the cluster at mixed versions on purpose: its report and \`drover status\`
say so. The full run (no selection) re-checks the nodes already at the target and skips them.`;
