/** Process wiring for `drover simulate`: signals, the progress renderer, abrupt crash on request. */
import { allowancesFrom } from '../commands/allow-options.js';
import { releaseGateFlagsFrom } from '../../app/config/release-gate-config.js';
import { createReporter } from '../progress/index.js';
import { withAbortOnSignals } from '../run/abort-on-signals.js';
import { DroverError } from '../../core/errors.js';
import { runServe } from '../../app/simulate/run-serve.js';
import { simulateAndReport } from './simulate-and-report.js';
import type { SimulateApi } from '../../app/simulate/simulate-ports.js';
import type { UpgradeKind } from '../../core/plan.js';
import { selectionFromFlags } from '../../app/selection/parse-selection.js';

export interface SimulateCommandFlags {
  scenario?: string;
  kind?: UpgradeKind;
  seed?: number;
  to?: string;
  json?: boolean;
  journal?: string;
  world?: string;
  resume?: boolean;
  crashAfterSteps?: number;
  advance?: number;
  chaos?: number;
  report?: string;
  audit?: string;
  api: SimulateApi;
  plain?: boolean;
  nodes?: string;
  role?: string;
  limit?: string;
  phase?: string;
  canary?: string;
  allowDowngrade?: boolean;
  allowMultiHop?: boolean;
  allowUnknown?: boolean;
  /** `--serve [dir]`: true without a directory. */
  serve?: string | boolean;
}

/** Flags that belong to a run, meaningless while only serving the cluster. */
const RUN_FLAGS = [
  'kind',
  'to',
  'journal',
  'world',
  'resume',
  'crashAfterSteps',
  'advance',
  'chaos',
  'report',
  'audit',
  'nodes',
  'role',
  'limit',
  'phase',
  'canary',
] as const;

function serveCommand(flags: SimulateCommandFlags): Promise<number> {
  const given = RUN_FLAGS.filter((f) => flags[f] !== undefined && flags[f] !== false);
  if (given.length > 0 || flags.api === 'http')
    throw new DroverError(
      'usage',
      'SERVE_FLAGS_INVALID',
      `--serve runs no upgrade: it takes only --scenario, --seed and --json (got ${[...given, ...(flags.api === 'http' ? ['api'] : [])].map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')})`,
      {
        hint: 'Serve with drover simulate --serve [DIR]; run an upgrade against it with drover upgrade ... --dry-run.',
      },
    );
  return withAbortOnSignals((signal) =>
    runServe(
      {
        ...(typeof flags.serve === 'string' ? { dir: flags.serve } : {}),
        ...(flags.scenario ? { scenarioFile: flags.scenario } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        json: flags.json === true,
        signal,
      },
      { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
    ),
  );
}

export async function simulateCommand(flags: SimulateCommandFlags): Promise<number> {
  if (flags.serve !== undefined && flags.serve !== false) return serveCommand(flags);
  const selection = selectionFromFlags(flags as unknown as Record<string, unknown>);
  return withAbortOnSignals(async (signal) => {
    const { exitCode } = await simulateAndReport(
      {
        ...(flags.scenario ? { scenarioFile: flags.scenario } : {}),
        ...(flags.kind ? { kind: flags.kind } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.to !== undefined ? { to: flags.to } : {}),
        json: flags.json === true,
        ...(flags.journal ? { journalFile: flags.journal } : {}),
        ...(flags.world ? { worldFile: flags.world } : {}),
        resume: flags.resume === true,
        ...(flags.crashAfterSteps !== undefined ? { crashAfterSteps: flags.crashAfterSteps } : {}),
        ...(flags.advance !== undefined ? { advanceSeconds: flags.advance } : {}),
        ...(flags.chaos !== undefined ? { chaosSeed: flags.chaos } : {}),
        ...(flags.report ? { reportFile: flags.report } : {}),
        ...(flags.audit ? { auditFile: flags.audit } : {}),
        api: flags.api,
        selection,
        allow: allowancesFrom(flags as unknown as Record<string, unknown>),
        releaseGate: releaseGateFlagsFrom(flags as unknown as Record<string, unknown>),
        signal,
      },
      {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        reporter: createReporter({ plain: flags.plain === true || flags.json === true }),
        crash: () => {
          // No cleanup, no lock release: exactly what a killed runner leaves behind.
          process.kill(process.pid, 'SIGKILL');
          throw new Error('unreachable');
        },
      },
    );
    return exitCode;
  });
}
