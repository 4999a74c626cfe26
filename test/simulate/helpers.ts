/** Helpers for the end-to-end simulate tests: scenario files, the built command, a run in-process. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { stringify } from 'yaml';
import { referenceScenario } from '../../src/adapters/simulated/index.js';
import type { Scenario } from '../../src/adapters/simulated/index.js';
import { SimulatedCrash } from '../../src/app/simulate/run-simulate.js';
import { simulateAndReport } from '../../src/cli/simulate/simulate-and-report.js';
import type { SimulateResult } from '../../src/app/simulate/run-simulate.js';
import type { SimulateRunOptions } from '../../src/cli/simulate/simulate-and-report.js';

// The directories tempDir() made for this test file go once all its tests ran (registered at
// import, in each file's fresh copy of this module; left behind, they were thousands a day).
const madeDirs: string[] = [];
afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'drover-sim-'));
  madeDirs.push(dir);
  return dir;
}

/** Writes the reference scenario with changes (faults, policy) to a YAML file. */
export function scenarioFile(dir: string, name: string, change: (s: Scenario) => void): string {
  const scenario = structuredClone(referenceScenario());
  scenario.name = name;
  change(scenario);
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(scenario));
  return file;
}

/** Runs simulate in this process (no crash possible), collecting stderr. */
export async function simulateInProcess(
  options: Partial<SimulateRunOptions>,
): Promise<SimulateResult & { stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const result = await simulateAndReport(
    { seed: 1, json: false, resume: false, api: 'memory', ...options },
    {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      reporter: { event: () => undefined, flush: async () => undefined },
      // In-process the "process" cannot die: runSimulate freezes the world and throws SimulatedCrash.
      crash: () => undefined,
    },
  );
  return { ...result, stderr, stdout };
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(cli: string, args: string[], cwd: string): CliRun {
  const r = spawnSync(process.execPath, [cli, 'simulate', ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, CI: '1' },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Same as runCli without blocking the event loop, so several runs can overlap (they mostly wait on disk). */
export function runCliAsync(cli: string, args: string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'simulate', ...args], {
      cwd,
      env: { ...process.env, CI: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

export interface CrashResume {
  /** The first run died (a crash fault or --crash-after-steps) rather than finishing. */
  crashed: boolean;
  first?: SimulateResult;
  resumed?: SimulateResult;
}

/**
 * In-process crash and resume: runs with a world file and a journal until the run "dies" (the
 * world is saved and frozen, nothing after the crash lands), then resumes in a fresh simulated
 * cluster loaded from that world, after `advanceSeconds` of the world living on alone.
 */
export async function crashAndResume(
  // dir: where the world and journal files go (default: a fresh temporary directory).
  options: Partial<SimulateRunOptions> & { advanceSeconds?: number; dir?: string },
): Promise<CrashResume> {
  const { advanceSeconds, dir = tempDir(), ...first } = options;
  const files = { worldFile: join(dir, 'world.json'), journalFile: join(dir, 'journal.jsonl') };
  try {
    const done = await simulateInProcess({ ...first, ...files });
    return { crashed: false, first: done };
  } catch (error) {
    if (!(error instanceof SimulatedCrash)) throw error;
  }
  const { crashAfterSteps: _ignored, ...rest } = first;
  const resumed = await simulateInProcess({
    ...rest,
    ...files,
    resume: true,
    ...(advanceSeconds !== undefined ? { advanceSeconds } : {}),
  });
  return { crashed: true, resumed };
}
