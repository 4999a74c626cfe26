// The mutation check: each safety behaviour in scripts/mutations.mjs is broken by hand, one at a
// time, and only the tests that cover it run; each break must turn at least one of them red.
// A mutation whose text is no longer in its file fails the check too (the list must follow the
// code), and so does a covering test that is red before anything is broken.
//
//   node scripts/mutate.mjs            every mutation
//   node scripts/mutate.mjs ID ...     only these
//   node scripts/mutate.mjs --list     what is checked
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { MUTATIONS } from './mutations.mjs';

const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const m of MUTATIONS) console.log(`${m.id.padEnd(34)} ${m.rule.padEnd(26)} ${m.file}`);
  process.exit(0);
}
const unknown = args.filter((id) => !MUTATIONS.some((m) => m.id === id));
if (unknown.length > 0) {
  console.error(`unknown mutation(s): ${unknown.join(', ')}; see --list`);
  process.exit(2);
}
// MUTATE_TESTS="a.test.ts b.test.ts" runs those instead of each entry's own list: to find which
// tests cover a new entry.
const override = process.env.MUTATE_TESTS?.split(/\s+/).filter(Boolean);
const chosen = (args.length > 0 ? MUTATIONS.filter((m) => args.includes(m.id)) : MUTATIONS).map(
  (m) => (override ? { ...m, tests: override } : m),
);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function vitest(tests) {
  const result = spawnSync(npx, ['vitest', 'run', '--bail=1', '--reporter=dot', ...tests], {
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

// Restore the file being mutated whatever happens (Ctrl-C included).
let restore = () => {};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    restore();
    process.exit(130);
  });
}

const started = Date.now();
const problems = [];
const stale = chosen.filter((m) => {
  const count = readFileSync(m.file, 'utf8').split(m.find).length - 1;
  if (count !== 1) problems.push(`${m.id}: its text occurs ${count} times in ${m.file}`);
  return count !== 1;
});
const runnable = chosen.filter((m) => !stale.includes(m));

const covering = [...new Set(runnable.flatMap((m) => m.tests))];
console.log(`baseline: ${covering.length} covering test file(s) must pass unmutated`);
const baseline = vitest(covering);
if (!baseline.ok) {
  console.error(baseline.output.slice(-4000));
  console.error('the covering tests fail before any mutation: fix them first');
  process.exit(1);
}

let caught = 0;
for (const m of runnable) {
  const original = readFileSync(m.file, 'utf8');
  restore = () => writeFileSync(m.file, original);
  const t0 = Date.now();
  writeFileSync(m.file, original.replace(m.find, m.replace));
  let result;
  try {
    result = vitest(m.tests);
  } finally {
    restore();
    restore = () => {};
  }
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (result.ok) {
    problems.push(`${m.id}: survived (no test in ${m.tests.join(', ')} noticed: ${m.why})`);
    console.log(`SURVIVED  ${m.id} (${seconds} s)`);
  } else {
    caught += 1;
    console.log(`caught    ${m.id} (${seconds} s)`);
  }
}

const total = ((Date.now() - started) / 1000).toFixed(0);
for (const p of problems) console.error(`- ${p}`);
console.log(`${caught} of ${chosen.length} mutations caught in ${total} s`);
process.exit(problems.length === 0 ? 0 : 1);
