// Cold start of `drover route --help`: a fresh Node process each run, as a user or CI sees it.
// Usage: node bench/route-help-cold-start.mjs [runs=20] [--cli path/to/cli.js]
// Prints the median and p95 wall time in ms and whether the median is under the 300 ms budget;
// exits 1 when it is not. Build first (npm run build).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const BUDGET_MS = 300;
const args = process.argv.slice(2);
const cliFlag = args.indexOf('--cli');
const cli =
  cliFlag >= 0
    ? resolve(args[cliFlag + 1])
    : join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--cli') ?? 20);

if (!existsSync(cli)) {
  console.error(`${cli} does not exist: run npm run build first`);
  process.exit(2);
}

/** Wall times of `runs` fresh processes (after one discarded warm-up run), sorted. */
function measure(args, check) {
  const times = [];
  for (let i = 0; i < runs + 1; i += 1) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const elapsed = performance.now() - started;
    if (!check(result)) {
      console.error(`${args.join(' ')} failed (exit ${result.status}): ${result.stderr}`);
      process.exit(2);
    }
    if (i > 0) times.push(elapsed); // the first run warms the file cache, as a second invocation would
  }
  return times.sort((a, b) => a - b);
}
const pick = (times, q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];

// Runs interleave with nothing else of ours, but the machine may be shared: bare `node` started
// the same way shows how much of the figure is Node itself and the machine's load.
const baseline = measure(['-e', '0'], (r) => r.status === 0);
const times = measure(
  [cli, 'route', '--help'],
  (r) => r.status === 0 && r.stdout.includes('route'),
);
const median = pick(times, 0.5);
const p95 = pick(times, 0.95);
const under = median < BUDGET_MS;
console.log(
  `route --help cold start over ${runs} runs: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, ` +
    `min ${times[0].toFixed(1)} ms; under ${BUDGET_MS} ms: ${under ? 'yes' : 'no'}`,
);
console.log(
  `bare node -e 0 on this machine now: median ${pick(baseline, 0.5).toFixed(1)} ms, min ${baseline[0].toFixed(1)} ms ` +
    `(Drover's own share of the median: ${(median - pick(baseline, 0.5)).toFixed(1)} ms)`,
);
process.exitCode = under ? 0 : 1;
