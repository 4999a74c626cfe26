/**
 * The chaos sweep (test/simulate/chaos.test.ts, `npm run chaos`): one seed is one scenario with a
 * random mix of faults and triggers; a crash fault is resumed (the world having lived on alone
 * for a while) until the run ends. The outcome may be a clean failure; never a violation, an
 * exception that is not a DroverError, a hang (a virtual-time deadline) or a different result
 * for the same seed.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadScenario, referenceScenario } from '../../src/adapters/simulated/index.js';
import { withChaos } from '../../src/adapters/simulated/scenario/chaos.js';
import { DroverError } from '../../src/core/errors.js';
import { SimulatedCrash } from '../../src/app/simulate/run-simulate.js';
import type { SimulateResult } from '../../src/app/simulate/run-simulate.js';
import type { SimulateRunOptions } from '../../src/cli/simulate/simulate-and-report.js';
import type { UpgradeKind } from '../../src/core/plan.js';
import { simulateInProcess, tempDir } from './helpers.js';

/** Whether this seed's mix holds a crash fault (drawn exactly as runSimulate will draw it). */
function drawsCrash(seed: number, kind: UpgradeKind, scenarioFile: string | undefined): boolean {
  const scenario = scenarioFile
    ? loadScenario(readFileSync(scenarioFile, 'utf8'), scenarioFile)
    : referenceScenario();
  try {
    return withChaos(scenario, seed, { kind, allowCrash: true }).faults.some(
      (f) => f.type === 'crash',
    );
  } catch {
    return false;
  }
}

export interface ChaosOutcome {
  seed: number;
  kind: UpgradeKind;
  exitCode: number;
  outcome: string;
  code: string | undefined;
  crashes: number;
  violations: string[];
  /** A thrown error that is not a DroverError (a stack trace for the user): a bug. */
  bug: string | undefined;
  hung: boolean;
  digest: string;
}

/** Virtual-time deadline: an upgrade of the reference cluster takes hours, never days. */
const DEADLINE_SECONDS = 5 * 24 * 3600;
const MAX_RESUMES = 4;

export async function chaosRun(
  seed: number,
  kind: UpgradeKind,
  scenarioFile?: string,
): Promise<ChaosOutcome> {
  const withCrash = drawsCrash(seed, kind, scenarioFile);
  const dir = tempDir();
  const base: Partial<SimulateRunOptions> = {
    seed,
    kind,
    chaosSeed: seed,
    deadlineSeconds: DEADLINE_SECONDS,
    // A world that outlives the "process" only where a crash may need it (saving costs disk).
    ...(withCrash
      ? { worldFile: join(dir, 'world.json'), journalFile: join(dir, 'journal.jsonl') }
      : {}),
    ...(scenarioFile ? { scenarioFile } : {}),
  };
  let crashes = 0;
  let result: SimulateResult | undefined;
  let bug: string | undefined;
  let hung = false;
  let code: string | undefined;
  while (result === undefined && bug === undefined) {
    try {
      result = await simulateInProcess({
        ...base,
        resume: crashes > 0,
        // Drover was down a while: 10 min to 2 h, from the seed.
        ...(crashes > 0 ? { advanceSeconds: 600 + ((seed * 7919 + crashes * 104729) % 6600) } : {}),
      });
    } catch (error) {
      if (error instanceof SimulatedCrash && crashes < MAX_RESUMES) {
        crashes++;
        continue;
      }
      if (error instanceof DroverError) {
        code = error.code;
        hung = error.code === 'SIMULATION_HUNG';
        break;
      }
      bug = error instanceof Error ? (error.stack ?? error.message) : String(error);
    }
  }
  const report = result?.report;
  const summary = {
    exitCode: result?.exitCode ?? (code ? 1 : -1),
    outcome: report?.outcome ?? (code ? 'error' : 'bug'),
    code: report?.failure?.code ?? code,
  };
  return {
    seed,
    kind,
    ...summary,
    crashes,
    violations: (report?.violations ?? []).map((v) => `${v.invariant}: ${v.message}`),
    bug,
    hung,
    digest: createHash('sha256')
      .update(JSON.stringify({ summary, report }))
      .digest('hex')
      .slice(0, 16),
  };
}
