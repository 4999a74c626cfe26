// How close Drover's schedule comes to the best any schedule could do, and what the disruption
// policy buys: runs the reference cattle upgrade (and pets) under several policies through the
// built CLI, on virtual time, and prints ratios measured in this one run.
// Usage: node bench/simulate-schedules.mjs [--cli dist/cli.js]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const cliFlag = args.indexOf('--cli');
const cli = cliFlag >= 0 ? resolve(args[cliFlag + 1]) : join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error(`${cli} does not exist: run npm run build first`);
  process.exit(2);
}

const reference = parse(readFileSync(join(root, 'examples', 'reference.yaml'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'drover-bench-'));

const variants = [
  // examples/reference.yaml takes one host's workers at once: sequential is explicit here.
  {
    name: 'cattle, sequential',
    kind: 'cattle',
    disruption: { maxUnavailableWorkers: 1, maxUnavailableDomains: 1 },
  },
  {
    name: 'cattle, 3 workers of one host at once',
    kind: 'cattle',
    disruption: { maxUnavailableWorkers: 3, maxUnavailableDomains: 1 },
  },
  { name: 'pets, sequential', kind: 'pets', disruption: { petsBatchSize: 1 }, to: '1.10.9' },
  {
    name: 'pets, batches of 3 in one host',
    kind: 'pets',
    disruption: { maxUnavailableWorkers: 3, maxUnavailableDomains: 1, petsBatchSize: 3 },
    to: '1.10.9',
  },
];

function run(variant) {
  const scenario = structuredClone(reference);
  scenario.upgrade = { ...scenario.upgrade, kind: variant.kind };
  if (variant.to) scenario.upgrade.talos = { ...scenario.upgrade.talos, to: variant.to };
  scenario.policy = {
    ...(scenario.policy ?? {}),
    disruption: { ...(scenario.policy?.disruption ?? {}), ...variant.disruption },
  };
  const file = join(dir, `${variant.name.replace(/\W+/g, '-')}.yaml`);
  writeFileSync(file, stringify(scenario));
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, 'simulate', '--scenario', file, '--json'], {
    encoding: 'utf8',
  });
  const realMs = performance.now() - started;
  if (result.status !== 0) {
    console.error(`${variant.name}: exit ${result.status}\n${result.stderr.slice(-2000)}`);
    process.exit(1);
  }
  const report = JSON.parse(result.stdout);
  return { ...variant, report, realMs };
}

const results = variants.map(run);
const hours = (s) => `${(s / 3600).toFixed(2)} h`;
console.log(
  '| policy | outcome | virtual duration | lower bound | duration / bound | violations | real time |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of results) {
  const { durationSeconds: d, lowerBoundSeconds: lb, outcome, violations } = r.report;
  console.log(
    `| ${r.name} | ${outcome} | ${hours(d)} | ${hours(lb)} | ${(d / lb).toFixed(3)} | ${violations.length} | ${(r.realMs / 1000).toFixed(2)} s |`,
  );
}
const speedup = (a, b) => (a.report.durationSeconds / b.report.durationSeconds).toFixed(2);
console.log(
  `\ncattle: batching 3 workers per host is ${speedup(results[0], results[1])}x faster than sequential`,
);
console.log(`pets: batches of 3 are ${speedup(results[2], results[3])}x faster than sequential`);
