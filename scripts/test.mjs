// The one test command: lint, typecheck, build, then every test. It ends with the plain line
// "N passed, N failed, N skipped", counted from vitest's JSON report (never typed by hand).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const reportDir = '.test-report';
const reportFile = join(reportDir, 'vitest.json');
const extraArgs = process.argv.slice(2);
const quick = extraArgs.includes('--quick');
// --mutate (CI) also runs the mutation check (scripts/mutate.mjs) and counts it as a check.
const mutate = extraArgs.includes('--mutate');
const vitestArgs = extraArgs.filter((a) => a !== '--quick' && a !== '--mutate');

function run(label, cmd, args) {
  console.error(`\n== ${label}: ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  const ok = result.status === 0;
  console.error(
    `== ${label}: ${ok ? 'ok' : 'FAILED'} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return ok;
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const failedChecks = [];
if (!quick) {
  if (!run('lint', npx, ['eslint', '.'])) failedChecks.push('lint');
  if (!run('typecheck', npx, ['tsc', '--noEmit'])) failedChecks.push('typecheck');
}
if (!run('build', process.execPath, ['scripts/build.mjs'])) failedChecks.push('build');

mkdirSync(reportDir, { recursive: true });
rmSync(reportFile, { force: true });
run('tests', npx, [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reportFile}`,
  ...vitestArgs,
]);

if (mutate && !run('mutation check', process.execPath, ['scripts/mutate.mjs']))
  failedChecks.push('mutation check');

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A suite that fails to load has no tests in it; count it so it can't pass unseen.
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed += 1;
  }
} else {
  console.error('no test report was written: counting the test run as one failure');
  failed += 1;
}
failed += failedChecks.length;
if (failedChecks.length > 0) console.error(`failed checks: ${failedChecks.join(', ')}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
