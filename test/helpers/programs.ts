/**
 * Tests that drive a real program (terraform, kubectl, git) skip when it is absent, and say so
 * in the run's output: never silently.
 */
import { spawnSync } from 'node:child_process';

const cache = new Map<string, string | undefined>();

/** Returns undefined when the program runs, else the reason it cannot be used. */
export function missingProgram(
  program: string,
  versionArgs: string[] = ['version'],
): string | undefined {
  if (cache.has(program)) return cache.get(program);
  const result = spawnSync(program, versionArgs, { encoding: 'utf8', timeout: 20_000 });
  const reason =
    result.error || result.status !== 0
      ? `${program} is not installed here (${result.error?.message ?? `exit ${result.status}`}); the tests that need it are skipped`
      : undefined;
  if (reason) process.stderr.write(`SKIP: ${reason}\n`);
  cache.set(program, reason);
  return reason;
}
