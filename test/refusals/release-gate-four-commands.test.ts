/**
 * The release gate (issue 13) is one rule of core/refusals.ts, applied the same by `route`,
 * `plan`, `upgrade --dry-run` and `simulate`: a Talos target that is not the newest patch of its
 * line in the release list, or is younger than the minimum age, or is not in the list, is refused
 * (exit 3, the same code) by all four, with a reason that names what to do and a hint naming
 * only flags the command has. The config's `releaseGate` applies without flags (route, plan and
 * upgrade read drover.yaml; simulate has no config), and a flag overrides the config field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../src/cli/plan/run-plan-command.js';
import { buildProgram } from '../../src/cli/main.js';
import { exitCodeFor, isDroverError } from '../../src/core/errors.js';
import type { RefusingCommand } from '../../src/core/refusals.js';
import { GitFixture, variablesTf } from '../route/git-fixture.js';
import { route } from '../route/run.js';
import { scenarioFile, simulateInProcess, tempDir } from '../simulate/helpers.js';
import { upgradeCommand } from '../../src/cli/upgrade/run-upgrade-command.js';
import { loadConfig } from '../../src/app/config/load-config.js';
import { machineConfigSecrets, startWorld, writeConfig } from '../upgrade/harness.js';
import type { World } from '../upgrade/harness.js';

const DAY = 24 * 3600 * 1000;
// Every command judges age against its own clock: real time here (simulate: startAt below).
const NOW = Date.now();
const ago = (days: number) => new Date(NOW - days * DAY).toISOString();

/** pets 1.10.8 -> 1.10.9 against each release list. */
const LISTS = {
  newest: [
    ['v1.10.8', 120],
    ['v1.10.9', 30],
  ],
  olderPatch: [
    ['v1.10.8', 120],
    ['v1.10.9', 30],
    ['v1.10.10', 20],
  ],
  young: [
    ['v1.10.8', 120],
    ['v1.10.9', 2],
  ],
  unlisted: [['v1.10.8', 120]],
} as const;
type ListName = keyof typeof LISTS;

interface Gate {
  list: ListName;
  minAgeDays?: number;
}

interface Case {
  name: string;
  /** The gate given as flags. */
  flags?: Gate;
  /** The gate in drover.yaml's releaseGate (route, plan, upgrade only). */
  config?: Gate;
  code: string | null;
  reason?: RegExp;
}

const CASES: Case[] = [
  { name: 'the newest patch, old enough', flags: { list: 'newest', minAgeDays: 7 }, code: null },
  {
    name: 'an older patch than the list’s newest',
    flags: { list: 'olderPatch' },
    code: 'RELEASE_NOT_LATEST_PATCH',
    reason: /target 1\.10\.10 instead/,
  },
  {
    name: 'a release younger than the minimum age',
    flags: { list: 'young', minAgeDays: 7 },
    code: 'RELEASE_TOO_NEW',
    reason: /wait until .*releaseGate\.minAgeDays/,
  },
  {
    name: 'a target the list does not know',
    flags: { list: 'unlisted' },
    code: 'RELEASE_UNKNOWN',
    reason: /not in the release list: add it/,
  },
];

const CONFIG_CASES: Case[] = [
  {
    name: 'the config’s releaseGate alone refuses',
    config: { list: 'young', minAgeDays: 7 },
    code: 'RELEASE_TOO_NEW',
  },
  {
    name: 'a flag overrides the config’s field (--min-release-age 0 over minAgeDays 7)',
    config: { list: 'young', minAgeDays: 7 },
    flags: { list: 'young', minAgeDays: 0 },
    code: null,
  },
  {
    name: 'a flag overrides the config’s list',
    config: { list: 'newest' },
    flags: { list: 'olderPatch' },
    code: 'RELEASE_NOT_LATEST_PATCH',
  },
];

function listFile(dir: string, name: ListName): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    LISTS[name].map(([v, days]) => `- { version: ${v}, publishedAt: "${ago(days)}" }`).join('\n'),
  );
  return file;
}

function configFile(dir: string, gate: Gate | undefined): string {
  return writeConfig(dir, (text) =>
    gate
      ? `${text}\nreleaseGate:\n  releaseList: ${gate.list}.yaml\n  minAgeDays: ${gate.minAgeDays ?? 0}\n`
      : text,
  );
}

interface Outcome {
  exit: number;
  code: string | null;
  reason: string | null;
  hint: string | null;
}

const fromError = (error: unknown): Outcome => {
  if (!isDroverError(error)) throw error;
  return {
    exit: exitCodeFor(error),
    code: error.code,
    reason: error.message,
    hint: error.hint ?? null,
  };
};

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.close());

const quiet = { stdout: () => undefined, stderr: () => undefined };

/** Each command as its CLI action runs it, the gate from flags and/or config. */
const RUN: Record<RefusingCommand, (c: Case) => Promise<Outcome>> = {
  async route(c) {
    const repo = GitFixture.create();
    try {
      for (const name of Object.keys(LISTS) as ListName[]) listFile(repo.dir, name);
      repo.write('terraform/variables.tf', variablesTf('1.10.8', '1.33.5')).commit('base');
      repo.write('terraform/variables.tf', variablesTf('1.10.9', '1.33.5')).commit('head');
      const loaded = c.config ? await loadConfig(configFile(repo.dir, c.config)) : undefined;
      const run = await route(repo.dir, {
        ...(c.flags ? { releaseList: join(repo.dir, `${c.flags.list}.yaml`) } : {}),
        ...(c.flags?.minAgeDays !== undefined ? { minReleaseAgeDays: c.flags.minAgeDays } : {}),
        ...(loaded
          ? { releaseGateConfig: { section: loaded.config.releaseGate, dir: loaded.dir } }
          : {}),
      });
      if (run.error) return fromError(run.error);
      return {
        exit: run.exitCode,
        code: run.document?.code ?? null,
        reason: run.document?.reason ?? null,
        hint: run.document?.hint ?? null,
      };
    } finally {
      repo.cleanup();
    }
  },
  async plan(c) {
    const dir = mkdtempSync(join(tmpdir(), 'drover-gate-'));
    for (const name of Object.keys(LISTS) as ListName[]) listFile(dir, name);
    try {
      const exit = await runPlanCommand(
        'pets',
        {
          config: configFile(dir, c.config),
          to: '1.10.9',
          json: true,
          ...(c.flags ? { releaseList: join(dir, `${c.flags.list}.yaml`) } : {}),
          ...(c.flags?.minAgeDays !== undefined
            ? { minReleaseAge: String(c.flags.minAgeDays) }
            : {}),
        },
        quiet,
      );
      return { exit, code: null, reason: null, hint: null };
    } catch (error) {
      return fromError(error);
    }
  },
  async upgrade(c) {
    const dir = mkdtempSync(join(tmpdir(), 'drover-gate-'));
    for (const name of Object.keys(LISTS) as ListName[]) listFile(dir, name);
    let stdout = '';
    const code = await upgradeCommand(
      'pets',
      {
        config: configFile(dir, c.config),
        to: '1.10.9',
        dryRun: true,
        resume: false,
        json: true,
        kubeconfig: world.kubeconfig,
        releaseGate: {
          ...(c.flags ? { releaseList: join(dir, `${c.flags.list}.yaml`) } : {}),
          ...(c.flags?.minAgeDays !== undefined ? { minReleaseAgeDays: c.flags.minAgeDays } : {}),
        },
      },
      {
        stdout: (t) => void (stdout += t),
        stderr: () => undefined,
        env: machineConfigSecrets().env,
        reporter: { event: () => undefined, flush: async () => undefined },
        registry: { manifest: async () => ({ state: 'present' }) },
      },
    );
    const error = (
      JSON.parse(stdout) as { error?: { code: string; message: string; hint: string | null } }
    ).error;
    return {
      exit: code,
      code: error?.code ?? null,
      reason: error?.message ?? null,
      hint: error?.hint ?? null,
    };
  },
  async simulate(c) {
    const dir = tempDir();
    for (const name of Object.keys(LISTS) as ListName[]) listFile(dir, name);
    const file = scenarioFile(dir, 'release-gate', (s) => {
      s.upgrade = {
        kind: 'pets',
        talos: { from: '1.10.8', to: '1.10.9' },
        kubernetes: { from: '1.33.5', to: '1.33.5' },
      };
      // The gate judges ages at the simulation's start.
      s.startAt = new Date(NOW).toISOString();
    });
    try {
      const { exitCode } = await simulateInProcess({
        scenarioFile: file,
        releaseGate: {
          ...(c.flags ? { releaseList: join(dir, `${c.flags.list}.yaml`) } : {}),
          ...(c.flags?.minAgeDays !== undefined ? { minReleaseAgeDays: c.flags.minAgeDays } : {}),
        },
      });
      return { exit: exitCode, code: null, reason: null, hint: null };
    } catch (error) {
      return fromError(error);
    }
  },
};

const program = buildProgram();
const flagsOf = (command: RefusingCommand) =>
  new Set(program.commands.find((c) => c.name() === command)!.options.map((o) => o.long));

function expectOutcome(command: RefusingCommand, c: Case, outcome: Outcome): void {
  expect({ command, exit: outcome.exit, code: outcome.code }).toEqual({
    command,
    exit: c.code === null ? 0 : 3,
    code: c.code,
  });
  if (c.code === null) return;
  if (c.reason && outcome.reason !== null) expect(outcome.reason).toMatch(c.reason);
  const named = outcome.hint?.match(/--[a-z][a-z-]*/g) ?? [];
  expect(named, `${command}: the hint names the gate's flags (${outcome.hint})`).toEqual(
    expect.arrayContaining(['--release-list', '--min-release-age']),
  );
  for (const flag of named) expect(flagsOf(command), `${command} has ${flag}`).toContain(flag);
}

describe('the release gate: route, plan, upgrade --dry-run and simulate decide alike', () => {
  it.each(CASES)('$name: the same answer from all four', async (c) => {
    for (const command of ['route', 'plan', 'upgrade', 'simulate'] as const)
      expectOutcome(command, c, await RUN[command](c));
  });

  it.each(CONFIG_CASES)('$name (route, plan, upgrade)', async (c) => {
    for (const command of ['route', 'plan', 'upgrade'] as const)
      expectOutcome(command, c, await RUN[command](c));
  });
});
