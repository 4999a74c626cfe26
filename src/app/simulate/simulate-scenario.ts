/**
 * The scenario a simulated run plays: the file (or the reference cluster), targeted like route
 * (--kind, --to, --allow-*, the release gate at the scenario's start, virtual time so runs
 * repeat), with --chaos faults mixed in, and the seed.
 */
import { readFile } from 'node:fs/promises';
import {
  loadScenario,
  referenceScenario,
  SIMULATION_EPOCH_MS,
  type Scenario,
} from '../../adapters/simulated/index.js';
import { withChaos } from '../../adapters/simulated/scenario/chaos.js';
import { scenarioMaintenance, startMsOf } from '../../adapters/simulated/scenario/maintenance.js';
import { DroverError } from '../../core/errors.js';
import { lineOf } from '../config/field-path.js';
import { resolveReleaseGate } from '../config/release-gate-config.js';
import { targetScenario } from './scenario-target.js';
import type { SimulateIo, SimulateOptions } from './simulate-options.js';

export async function loadScenarioFile(file: string | undefined) {
  if (file === undefined) return referenceScenario();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DroverError('input', 'SCENARIO_UNREADABLE', `cannot read the scenario ${file}`, {
      cause: error,
      hint: 'Give the path of a scenario YAML file (see docs/simulate.md), or omit --scenario for the reference cluster.',
    });
  }
  return loadScenario(text, file, lineOf);
}

export async function prepareScenario(options: SimulateOptions, io: Pick<SimulateIo, 'stderr'>) {
  const file = await loadScenarioFile(options.scenarioFile);
  // The release gate judges ages at the scenario's start: virtual time, so runs repeat.
  const releaseGate = await resolveReleaseGate(
    undefined,
    options.releaseGate ?? {},
    startMsOf(file, SIMULATION_EPOCH_MS),
  );
  const { scenario: loaded, route } = targetScenario(file, {
    ...(options.kind ? { kind: options.kind } : {}),
    ...(options.to ? { to: options.to } : {}),
    ...(options.allow ? { allow: options.allow } : {}),
    ...(releaseGate ? { releaseGate } : {}),
  });
  const seed = options.seed ?? loaded.seed ?? 1;
  // Crash faults only where a crash can be resumed (a world file that outlives the process).
  const scenario =
    options.chaosSeed === undefined
      ? loaded
      : withChaos(loaded, options.chaosSeed, {
          ...(options.kind ? { kind: options.kind } : {}),
          allowCrash: options.worldFile !== undefined,
        });
  if (options.chaosSeed !== undefined)
    io.stderr(
      `Chaos ${options.chaosSeed}: ${scenario.faults.length} fault(s): ${JSON.stringify(scenario.faults)}\n`,
    );
  return { scenario, route, seed };
}

export function maintenanceOf(scenario: Scenario) {
  const maintenance = scenarioMaintenance(scenario);
  return maintenance ? { maintenance } : {};
}
