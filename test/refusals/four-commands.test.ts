/**
 * One set of refusals (issue 13): `route`, `plan`, `upgrade --dry-run` and `simulate` decide the
 * same way from the same versions. Each case is refused (exit 3, the same code) by all four
 * without flags, with a hint naming only flags that command has; given the one flag that lets it
 * through (the same flag on every command), none of the four refuses it. The refusals without a
 * flag (Kubernetes downgrade, out of the Talos line's range) stay refused with every flag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../src/cli/plan/run-plan-command.js';
import { buildProgram } from '../../src/cli/main.js';
import { exitCodeFor, isDroverError } from '../../src/core/errors.js';
import type { UpgradeKind } from '../../src/core/plan.js';
import { FLAG_OF_REFUSAL } from '../../src/core/refusals.js';
import type { AllowFlag, RefusingCommand } from '../../src/core/refusals.js';
import type { RefusalCode, RouteAllowances } from '../../src/core/route.js';
import { GitFixture, variablesTf } from '../route/git-fixture.js';
import { route } from '../route/run.js';
import { scenarioFile, simulateInProcess, tempDir } from '../simulate/helpers.js';
import { upgradeCommand } from '../../src/cli/upgrade/run-upgrade-command.js';
import { machineConfigSecrets, startWorld, writeConfig } from '../upgrade/harness.js';
import type { World } from '../upgrade/harness.js';

interface Case {
  name: string;
  kind: UpgradeKind;
  talos: [string, string];
  kubernetes: [string, string];
  code: RefusalCode;
}

const CASES: Case[] = [
  {
    name: 'a Talos downgrade',
    kind: 'pets',
    talos: ['1.10.8', '1.10.7'],
    kubernetes: ['1.33.5', '1.33.5'],
    code: 'DOWNGRADE',
  },
  {
    name: 'a Talos downgrade across several lines',
    kind: 'cattle',
    talos: ['1.13.2', '1.10.8'],
    kubernetes: ['1.33.5', '1.33.5'],
    code: 'DOWNGRADE_MULTI_HOP',
  },
  {
    name: 'a forbidden Talos hop',
    kind: 'pets',
    talos: ['1.8.4', '1.11.0'],
    kubernetes: ['1.30.5', '1.30.5'],
    code: 'FORBIDDEN_HOP',
  },
  {
    name: 'an unknown Talos line',
    kind: 'cattle',
    talos: ['1.15.2', '1.16.0'],
    kubernetes: ['1.35.1', '1.35.1'],
    code: 'UNKNOWN_TARGET_LINE',
  },
  {
    name: 'a skipped Kubernetes minor',
    kind: 'kubernetes',
    talos: ['1.11.6', '1.11.6'],
    kubernetes: ['1.32.4', '1.34.1'],
    code: 'K8S_SKIPPED_MINOR',
  },
  {
    name: 'Kubernetes outside the Talos line',
    kind: 'kubernetes',
    talos: ['1.10.8', '1.10.8'],
    kubernetes: ['1.33.5', '1.34.1'],
    code: 'K8S_OUT_OF_RANGE',
  },
  {
    name: 'Talos whose line does not run the cluster’s Kubernetes',
    kind: 'cattle',
    talos: ['1.10.8', '1.12.11'],
    kubernetes: ['1.29.3', '1.29.3'],
    code: 'K8S_OUT_OF_RANGE',
  },
  {
    name: 'a Kubernetes downgrade',
    kind: 'kubernetes',
    talos: ['1.10.8', '1.10.8'],
    kubernetes: ['1.33.5', '1.33.4'],
    code: 'K8S_DOWNGRADE',
  },
];

const ALL_FLAGS: RouteAllowances = {
  allowDowngrade: true,
  allowMultiHop: true,
  allowUnknown: true,
};
const ALLOWANCE: Record<AllowFlag, RouteAllowances> = {
  '--allow-downgrade': { allowDowngrade: true },
  '--allow-multi-hop': { allowMultiHop: true },
  '--allow-unknown': { allowUnknown: true },
};

interface Outcome {
  exit: number;
  code: string | null;
  hint: string | null;
}

const fromError = (error: unknown): Outcome => {
  if (!isDroverError(error)) throw error;
  return { exit: exitCodeFor(error), code: error.code, hint: error.hint ?? null };
};

let world: World;
const env = machineConfigSecrets().env;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => world.close());

/** The same versions, as each command reads them. */
const RUN: Record<RefusingCommand, (c: Case, allow: RouteAllowances) => Promise<Outcome>> = {
  async route(c, allow) {
    const repo = GitFixture.create();
    try {
      repo.write('terraform/variables.tf', variablesTf(c.talos[0], c.kubernetes[0])).commit('base');
      repo.write('terraform/variables.tf', variablesTf(c.talos[1], c.kubernetes[1])).commit('head');
      const run = await route(repo.dir, allow);
      return {
        exit: run.exitCode,
        code: run.document?.code ?? null,
        hint: run.document?.hint ?? null,
      };
    } finally {
      repo.cleanup();
    }
  },
  async plan(c, allow) {
    const config = configFor(c);
    try {
      const exit = await runPlanCommand(
        c.kind,
        { config, to: target(c), json: true, allow },
        quiet,
      );
      return { exit, code: null, hint: null };
    } catch (error) {
      return fromError(error);
    }
  },
  async upgrade(c, allow) {
    let stdout = '';
    const code = await upgradeCommand(
      c.kind,
      {
        config: configFor(c),
        to: target(c),
        dryRun: true,
        resume: false,
        json: true,
        kubeconfig: world.kubeconfig,
        allow,
      },
      {
        stdout: (t) => void (stdout += t),
        stderr: () => undefined,
        env,
        reporter: { event: () => undefined, flush: async () => undefined },
        // Hermetic: the installer images are not what this test is about.
        registry: { manifest: async () => ({ state: 'present' }) },
      },
    );
    const run = { code, stdout };
    const error = (JSON.parse(run.stdout) as { error?: { code: string; hint: string | null } })
      .error;
    return { exit: run.code, code: error?.code ?? null, hint: error?.hint ?? null };
  },
  async simulate(c, allow) {
    const file = scenarioFile(tempDir(), `refusal-${c.code.toLowerCase()}`, (s) => {
      s.upgrade = {
        kind: c.kind,
        talos: { from: c.talos[0], to: c.talos[1] },
        kubernetes: { from: c.kubernetes[0], to: c.kubernetes[1] },
      };
    });
    try {
      const { exitCode } = await simulateInProcess({ scenarioFile: file, allow });
      return { exit: exitCode, code: null, hint: null };
    } catch (error) {
      return fromError(error);
    }
  },
};

const quiet = { stdout: () => undefined, stderr: () => undefined };
const target = (c: Case) => (c.kind === 'kubernetes' ? c.kubernetes[1] : c.talos[1]);
function configFor(c: Case): string {
  return writeConfig(tempDir(), (text) =>
    text
      .replace('talos: 1.10.8', `talos: ${c.talos[0]}`)
      .replace('kubernetes: 1.33.5', `kubernetes: ${c.kubernetes[0]}`),
  );
}

const COMMANDS = ['route', 'plan', 'upgrade', 'simulate'] as const;
const program = buildProgram();
const flagsOf = (command: RefusingCommand) =>
  new Set(program.commands.find((c) => c.name() === command)!.options.map((o) => o.long));

describe('route, plan, upgrade --dry-run and simulate refuse the same inputs the same way', () => {
  it('covers every refusal code', () => {
    expect(new Set(CASES.map((c) => c.code))).toEqual(new Set(Object.keys(FLAG_OF_REFUSAL)));
  });

  it.each(CASES)('$name ($code): exit 3 from all four, hints naming their own flags', async (c) => {
    for (const command of COMMANDS) {
      const outcome = await RUN[command](c, {});
      expect({ command, exit: outcome.exit, code: outcome.code }).toEqual({
        command,
        exit: 3,
        code: c.code,
      });
      const named = outcome.hint?.match(/--[a-z][a-z-]*/g) ?? [];
      expect(named.length, `${command}: the hint names a flag (${outcome.hint})`).toBeGreaterThan(
        0,
      );
      for (const flag of named) expect(flagsOf(command), `${command} has ${flag}`).toContain(flag);
      const flag = FLAG_OF_REFUSAL[c.code];
      if (flag) expect(outcome.hint).toContain(flag);
    }
  });

  it.each(CASES)(
    '$name ($code): the one flag lets it through all four, or none does',
    async (c) => {
      const flag = FLAG_OF_REFUSAL[c.code];
      for (const command of COMMANDS) {
        const outcome = await RUN[command](c, flag ? ALLOWANCE[flag] : ALL_FLAGS);
        expect({ command, exit: outcome.exit, code: outcome.code }).toEqual(
          flag ? { command, exit: 0, code: null } : { command, exit: 3, code: c.code },
        );
      }
    },
  );
});
