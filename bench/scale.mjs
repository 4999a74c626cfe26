// Scale and schedule figures of one run (build first: npm run build):
// - `drover simulate` of the reference cluster and of 100- and 1,000-node clusters of the same
//   shape (bench/scaled-scenario.mjs): makespan, baseline (one node at a time, when the report
//   has baselineSeconds), lower bound and their ratios, real time, CPU per node, peak memory;
// - `drover plan cattle` for 5,000 nodes (the whole process, start-up included);
// - Kubernetes API requests per replaced node with --api http, by verb and resource.
// Usage: node bench/scale.mjs [--cli dist/cli.js] [--sizes 100,1000] [--http-sizes 15,100]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { scaledScenario } from './scaled-scenario.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const cli = resolve(flag('--cli', join(root, 'dist', 'cli.js')));
const sizes = flag('--sizes', '100,1000').split(',').map(Number);
const httpSizes = flag('--http-sizes', '15,100').split(',').map(Number);
if (!existsSync(cli)) {
  console.error(`${cli} does not exist: run npm run build first`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'drover-bench-scale-'));
const reference = parse(readFileSync(join(root, 'examples', 'reference.yaml'), 'utf8'));

/** Runs the built CLI in a fresh process; returns its output, wall time, CPU time and peak RSS. */
function runCli(cliArgs) {
  const cpuFile = join(dir, `cpu-${process.hrtime.bigint()}.json`);
  const started = performance.now();
  const result = spawnSync(
    process.execPath,
    ['--import', join(here, 'cpu-usage.mjs'), cli, ...cliArgs],
    {
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
      env: { ...process.env, CI: '1', DROVER_BENCH_CPU_FILE: cpuFile },
    },
  );
  const wallMs = performance.now() - started;
  const usage = existsSync(cpuFile) ? JSON.parse(readFileSync(cpuFile, 'utf8')) : {};
  return { ...result, wallMs, cpuMs: usage.cpuMs, maxRssKb: usage.maxRssKb };
}

function scenarioFile(nodes) {
  const scenario = nodes === 15 ? reference : scaledScenario(reference, nodes);
  const file = join(dir, `scenario-${nodes}.yaml`);
  writeFileSync(file, stringify(scenario));
  return file;
}

function simulate(nodes, extra = []) {
  const run = runCli(['simulate', '--scenario', scenarioFile(nodes), '--json', ...extra]);
  if (run.status !== 0 && run.status !== 1) {
    console.error(
      `simulate ${nodes} nodes ${extra.join(' ')}: exit ${run.status}\n${run.stderr.slice(-2000)}`,
    );
    return undefined;
  }
  return { ...run, report: JSON.parse(run.stdout) };
}

const hours = (s) => (typeof s === 'number' ? `${(s / 3600).toFixed(2)} h` : 'n/a');
const ratio = (a, b) =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? (a / b).toFixed(3) : 'n/a';
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

console.log('### simulate (in one process each, virtual time)\n');
console.log(
  '| nodes | outcome | makespan | baseline | lower bound | makespan / baseline | makespan / bound | violations | real time | CPU | CPU per node | peak RSS |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
let failed = false;
for (const nodes of [15, ...sizes]) {
  const run = simulate(nodes);
  if (!run) {
    failed = true;
    console.log(`| ${nodes} | crashed | | | | | | | | | | |`);
    continue;
  }
  const r = run.report;
  const baseline = r.baselineSeconds;
  console.log(
    `| ${nodes}${nodes === 15 ? ' (reference)' : ''} | ${r.outcome} | ${hours(r.durationSeconds)} | ${hours(baseline)} | ${hours(r.lowerBoundSeconds)} | ${ratio(r.durationSeconds, baseline)} | ${ratio(r.durationSeconds, r.lowerBoundSeconds)} | ${r.violations.length} | ${seconds(run.wallMs)} | ${seconds(run.cpuMs)} | ${(run.cpuMs / nodes).toFixed(1)} ms | ${Math.round(run.maxRssKb / 1024)} MB |`,
  );
  if (r.outcome !== 'succeeded' || r.violations.length > 0) failed = true;
}

console.log(
  '\n### drover plan cattle, 5,000 nodes (whole process: Node start-up, config, plan, JSON)\n',
);
{
  const configDir = join(dir, 'config-5000');
  cpSync(join(root, 'examples', 'patches'), join(configDir, 'patches'), { recursive: true });
  const config = parse(readFileSync(join(root, 'examples', 'drover.yaml'), 'utf8'));
  const nodes = scaledScenario(reference, 5000).nodes.map((n) => ({
    name: n.name,
    role: n.role,
    host: n.host,
    address: n.address,
    ...(n.osd ? { osd: true } : {}),
    ...(n.gpu ? { flavor: 'gpu', gpu: true, patches: ['patches/nvidia.yaml'] } : {}),
  }));
  writeFileSync(join(configDir, 'drover.yaml'), stringify({ ...config, nodes }));
  const times = [];
  let plan;
  for (let i = 0; i < 4; i++) {
    plan = runCli([
      'plan',
      'cattle',
      '--config',
      join(configDir, 'drover.yaml'),
      '--to',
      '1.11.0',
      '--json',
    ]);
    if (plan.status !== 0) {
      console.error(`plan: exit ${plan.status}\n${plan.stderr.slice(-2000)}`);
      failed = true;
      break;
    }
    if (i > 0) times.push(plan.wallMs); // the first run warms the file cache
  }
  if (times.length > 0) {
    times.sort((a, b) => a - b);
    const steps = JSON.parse(plan.stdout).phases?.reduce(
      (sum, p) => sum + p.steps.length + p.units.reduce((s, u) => s + u.steps.length, 0),
      0,
    );
    const bare = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      bare.push(performance.now() - started);
    }
    bare.sort((a, b) => a - b);
    console.log(
      `plan of 5,000 nodes (${steps ?? '?'} steps): median ${times[1].toFixed(0)} ms wall, min ${times[0].toFixed(0)} ms, CPU ${plan.cpuMs?.toFixed(0)} ms; under 1 s: ${times[1] < 1000 ? 'yes' : 'no'} (bare node -e 0: median ${bare[1].toFixed(0)} ms)`,
    );
  }
}

console.log('\n### Kubernetes API requests over HTTP (--api http), per replaced node\n');
console.log(
  '| nodes | outcome | requests | per replaced node | watches | lists and gets | writes | top kinds |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const nodes of httpSizes) {
  const run = simulate(nodes, ['--api', 'http']);
  if (!run) {
    failed = true;
    continue;
  }
  const { apiRequests = {}, apiRequestsPerNode, outcome } = run.report;
  const { total = 0, ...byKind } = apiRequests;
  const sum = (test) =>
    Object.entries(byKind)
      .filter(([k]) => test(k))
      .reduce((s, [, v]) => s + v, 0);
  const pct = (n) => `${n} (${total > 0 ? Math.round((100 * n) / total) : 0} %)`;
  const top = Object.entries(byKind)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `| ${nodes} | ${outcome} | ${total} | ${apiRequestsPerNode ?? 'n/a'} | ${pct(sum((k) => k.startsWith('WATCH')))} | ${pct(sum((k) => k.startsWith('GET') || k.startsWith('LIST')))} | ${pct(sum((k) => /^(POST|PUT|PATCH|DELETE)/.test(k)))} | ${top} |`,
  );
}
process.exitCode = failed ? 1 : 0;
