// `npm run chaos [SEEDS]`: simulate --chaos over SEEDS seeds (default 200) for cattle and pets on
// the reference cluster, in-process through vitest (the TypeScript sources, no build). Prints per
// kind: exit codes, outcomes, crashes resumed, invariant violations, stack traces, hangs and
// seeds whose repeat gave another result; exits non-zero unless all of those are zero.
import { spawnSync } from 'node:child_process';

const seeds = process.argv[2] ?? '200';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const result = spawnSync(npx, ['vitest', 'run', 'test/simulate/chaos.test.ts'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    CHAOS_SEEDS: seeds,
    CHAOS_SCENARIO: process.env.CHAOS_SCENARIO ?? 'reference',
    CHAOS_REPEAT_EVERY: process.env.CHAOS_REPEAT_EVERY ?? '10',
  },
});
process.exit(result.status ?? 1);
