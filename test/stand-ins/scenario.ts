/**
 * Test-side helper for the stand-in executables in this folder: writes a scenario file, points
 * the tool's env var at it, and reads back the call log the stand-in appends.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface StandInCall {
  expectArgs: string[];
  expectEnv?: Record<string, string | null>;
  stdout?: string;
  stdoutFile?: string;
  stderr?: string;
  stderrFile?: string;
  exitCode?: number;
}

export interface StandInLogEntry {
  index: number;
  argv: string[];
  files: { mode: string; dirMode: string; sha256: string }[];
  error?: string;
}

export const STAND_INS = resolve(import.meta.dirname);

export class StandInScenario {
  private constructor(
    readonly dir: string,
    readonly path: string,
  ) {}

  static async create(calls: StandInCall[]): Promise<StandInScenario> {
    const dir = await mkdtemp(join(tmpdir(), 'drover-standin-'));
    const path = join(dir, 'scenario.json');
    await writeFile(path, JSON.stringify(calls));
    return new StandInScenario(dir, path);
  }

  async log(): Promise<StandInLogEntry[]> {
    const text = await readFile(`${this.path}.log`, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as StandInLogEntry);
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
