/** Process wiring for `drover simulate`: signals, the progress renderer, abrupt crash on request. */
import { createReporter } from '../progress/index.js';
import { withAbortOnSignals } from '../run/abort-on-signals.js';
import { runSimulate } from './run-simulate.js';
import type { SimulateApi } from './simulate-ports.js';
import type { UpgradeKind } from '../../core/plan.js';
import { selectionFromFlags } from '../selection/parse-selection.js';

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
}

export async function simulateCommand(flags: SimulateCommandFlags): Promise<number> {
  const selection = selectionFromFlags(flags as unknown as Record<string, unknown>);
  return withAbortOnSignals(async (signal) => {
    const { exitCode } = await runSimulate(
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
