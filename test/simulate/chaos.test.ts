/**
 * `simulate --chaos SEED` over many seeds: a random mix of faults with random triggers (crashes
 * resumed after the world lived on alone). A run may fail, cleanly; it never breaks an
 * invariant, never throws something that is not a DroverError, never hangs, and the same seed
 * gives the same result. The suite runs a few dozen seeds on the small cluster; `npm run chaos`
 * runs 200 seeds of cattle and pets on the reference cluster (CHAOS_SEEDS, CHAOS_SCENARIO).
 */
import { describe, expect, it } from 'vitest';
import { chaosRun, type ChaosOutcome } from './chaos-driver.js';

const SEEDS = Number(process.env.CHAOS_SEEDS ?? 12);
const SCENARIO = process.env.CHAOS_SCENARIO ?? 'examples/small-cluster.yaml';
const scenarioFile = SCENARIO === 'reference' ? undefined : SCENARIO;
/** Every how many seeds the run is repeated to compare results. */
const REPEAT_EVERY = Number(process.env.CHAOS_REPEAT_EVERY ?? 4);

function summarize(kind: string, outcomes: ChaosOutcome[]): string {
  const by = (f: (o: ChaosOutcome) => string) =>
    Object.entries(
      outcomes.reduce<Record<string, number>>((acc, o) => {
        acc[f(o)] = (acc[f(o)] ?? 0) + 1;
        return acc;
      }, {}),
    )
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return [
    `chaos ${kind} on ${SCENARIO}: ${outcomes.length} seeds`,
    `  exit codes: ${by((o) => String(o.exitCode))}`,
    `  outcomes: ${by((o) => `${o.outcome}${o.code ? `/${o.code}` : ''}`)}`,
    `  runs with crashes resumed: ${outcomes.filter((o) => o.crashes > 0).length}`,
    `  invariant violations: ${outcomes.reduce((n, o) => n + o.violations.length, 0)}`,
    `  errors with a stack trace: ${outcomes.filter((o) => o.bug).length}`,
    `  hangs (virtual deadline): ${outcomes.filter((o) => o.hung).length}`,
    ...outcomes
      .filter((o) => o.violations.length > 0 || o.bug || o.hung)
      .map(
        (o) =>
          `  seed ${o.seed}: ${o.hung ? 'hung' : (o.bug?.split('\n')[0] ?? o.violations.join('; '))}`,
      ),
  ].join('\n');
}

describe.each(['cattle', 'pets'] as const)('chaos, %s', (kind) => {
  it(`${SEEDS} seeds: zero violations, no stack trace, no hang, same seed same result`, async () => {
    const outcomes: ChaosOutcome[] = [];
    const mismatched: number[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const outcome = await chaosRun(seed, kind, scenarioFile);
      outcomes.push(outcome);
      if (seed % REPEAT_EVERY === 0) {
        const again = await chaosRun(seed, kind, scenarioFile);
        if (again.digest !== outcome.digest) mismatched.push(seed);
      }
    }
    console.log(`${summarize(kind, outcomes)}\n  same seed, other result: ${mismatched.length}`);
    expect(
      outcomes.filter((o) => o.violations.length > 0).map((o) => [o.seed, o.violations]),
    ).toEqual([]);
    expect(outcomes.filter((o) => o.bug).map((o) => [o.seed, o.bug])).toEqual([]);
    expect(outcomes.filter((o) => o.hung).map((o) => o.seed)).toEqual([]);
    expect(mismatched).toEqual([]);
    // Every run ended as simulate documents: 0, 1 or 3 (2 would be a bad chaos scenario).
    expect(outcomes.filter((o) => ![0, 1, 3].includes(o.exitCode)).map((o) => o.seed)).toEqual([]);
  }, 3_600_000);
});
