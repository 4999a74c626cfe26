/**
 * `drover simulate`: the real engine against the simulated cluster, on virtual time.
 * Only commander is loaded here; the engine and the simulated cluster load on use.
 */
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { SimulateCommandFlags } from '../simulate/simulate-command.js';
import { addSelectionOptions, SELECTION_HELP } from './selection-options.js';
import { addAllowOptions } from './allow-options.js';
import { addReleaseGateOptions } from './release-gate-options.js';

const HELP_AFTER = `
With no --scenario it upgrades the reference cluster (3 control plane nodes, 12 workers on
4 Proxmox hosts, 2 GPU workers, Ceph, CoreDNS, PDB-guarded deployments) from Talos 1.10.8
to 1.11.0 by replacing every VM (cattle). Hours of upgrade take well under a second.

Crash and resume (each node's VM is replaced exactly once across both runs):
  drover simulate --world w.json --journal j.jsonl --crash-after-steps 40   # dies, exit 137
  drover simulate --world w.json --journal j.jsonl --resume --advance 1h
A crash can also be a scenario fault keyed to a request, e.g. in the middle of an apply:
  faults: [{ type: crash, when: { request: replace-vm, node: k8s-work-2, delaySeconds: 60 } }]

Chaos: --chaos SEED adds a seeded random mix of faults with random triggers; the run may fail
(cleanly, exit 1) but must keep every invariant. npm run chaos runs 200 seeds.

Exit codes: 0 succeeded with no invariant violated, 1 failed, aborted or an invariant
violated, 2 bad usage or input, 3 refused by a safety rule (downgrade, forbidden hop, unknown line or Kubernetes out of
the Talos line's range, as drover route refuses them unless --allow-*; lock held, gate blocked,
plan scope, outside every maintenance window), 4 stopped between nodes at the end of the
maintenance window.
Try Drover without a cluster: --serve starts the simulated cluster's API server, writes a
kubeconfig and a drover.yaml, and prints the kubectl and drover commands to run against it:
  drover simulate --serve ./try-drover        # then, in another shell: . ./try-drover/env.sh

See docs/simulate.md for the scenario format and the report fields.`;

/** 32-bit seeds (adapters/simulated/world/rng.ts): not imported, commander loads alone here. */
const MAX_SEED = 0xffff_ffff;

function integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `${name} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`,
      );
    return n;
  };
}

/** `90`, `90s`, `30m`, `1h`: seconds. */
function duration(name: string) {
  return (value: string): number => {
    const m = /^(\d+)(s|m|h)?$/.exec(value.trim());
    if (!m) throw new InvalidArgumentError(`${name} must be a duration like 90s, 30m or 1h`);
    const unit = m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1;
    return Number(m[1]) * unit;
  };
}

/** What to simulate: the cluster, the kind and target, and the randomness. */
function addScenarioOptions(command: Command): Command {
  return command
    .option('--scenario <file>', 'scenario YAML (default: the reference cluster)')
    .addOption(
      new Option('--kind <kind>', "upgrade kind (default: the scenario's)").choices([
        'cattle',
        'pets',
        'kubernetes',
      ]),
    )
    .option(
      '--seed <n>',
      "random seed of the simulation (default: the scenario's seed, else 1)",
      integer('--seed', 0, MAX_SEED),
    )
    .option(
      '--to <version>',
      'target version of the kind (Talos; Kubernetes for --kind kubernetes), routed like plan --to',
    );
}

/** Crash and resume, chaos, and what the run writes and how it is served. */
function addRunOptions(command: Command): Command {
  return command
    .option('--json', 'print the report as one JSON document on stdout')
    .option('--journal <file>', 'journal file (JSONL); needed to --resume')
    .option('--world <file>', 'persist the simulated cluster here after every event (for --resume)')
    .option('--resume', 'continue the run recorded in --journal')
    .option(
      '--crash-after-steps <n>',
      'die abruptly (SIGKILL, exit 137) after N completed steps',
      integer('--crash-after-steps', 1),
    )
    .option(
      '--advance <duration>',
      'with --resume: simulated time the world lives on alone first (e.g. 90s, 30m, 1h)',
      duration('--advance'),
    )
    .option(
      '--chaos <seed>',
      'add a random (seeded) mix of faults with random triggers to the scenario',
      integer('--chaos', 0, MAX_SEED),
    )
    .option(
      '--report <file>',
      'also write the JSON report here, and beside it the Markdown summary (.md) and the timeline picture (report.json -> report.timeline.svg)',
    )
    .option('--audit <file>', 'audit log (JSONL) of every action and its inputs, secrets redacted')
    .addOption(
      new Option('--api <api>', 'how the engine reaches the simulated Kubernetes API')
        .choices(['memory', 'http'])
        .default('memory'),
    )
    .option('--plain', 'plain progress lines even on a terminal')
    .option(
      '--serve [dir]',
      'serve the simulated cluster (no upgrade run) on 127.0.0.1 until Ctrl-C; writes a kubeconfig, drover.yaml and env.sh into dir (default: a temporary one) and prints commands to try',
    );
}

export function registerSimulate(program: Command): void {
  const command = program
    .command('simulate')
    .summary('run a complete upgrade against the simulated cluster, on virtual time')
    .description(
      'Runs the real engine against an in-process twin of Kubernetes, Talos, Proxmox/Terraform and S3, with scripted faults, and checks every safety invariant after each event.',
    );
  addSelectionOptions(
    addReleaseGateOptions(addAllowOptions(addRunOptions(addScenarioOptions(command)))),
  )
    .addHelpText('after', HELP_AFTER)
    .addHelpText(
      'after',
      `${SELECTION_HELP}
A canary, then the full run, on one simulated cluster that outlives each run:
  drover simulate --world w.json --canary 2
  drover simulate --world w.json`,
    )
    .action(async (flags: SimulateCommandFlags) => {
      const { simulateCommand } = await import('../simulate/simulate-command.js');
      process.exitCode = await simulateCommand(flags);
    });
}
