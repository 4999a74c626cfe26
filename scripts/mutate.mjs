// The mutation check: each safety behaviour in scripts/mutations.mjs is broken by hand, one at a
// time, and only the tests that cover it run; each break must turn at least one of them red.
// A mutation whose text is no longer in its file fails the check too (the list must follow the
// code), and so does a covering test that is red before anything is broken.
//
//   node scripts/mutate.mjs            every mutation
//   node scripts/mutate.mjs ID ...     only these
//   node scripts/mutate.mjs --list     what is checked
//
// Each mutation runs in a scratch copy of the working tree (scripts/mutate-copies.mjs), never in
// the tree itself; MUTATE_JOBS copies (default: one per core) take the mutations in turn, each
// running its tests on one vitest worker, so every core is busy. A mutation's test files run in
// the order its entry lists them and stop at the first red test: list the quickest catch first.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MUTATIONS } from './mutations.mjs';
import { makeCopy, removeCopy, runVitest } from './mutate-copies.mjs';

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
const jobs = Math.max(1, Number(process.env.MUTATE_JOBS) || availableParallelism());
// The baseline runs every covering file at once: on a loaded machine a long simulate test can
// pass its usual 30 s there, which is no failure of the tree (a mutation keeps the usual timeout).
const BASELINE_TIMEOUT_MS = 120_000;
const root = process.cwd();

const started = Date.now();
const problems = [];
const stale = chosen.filter((m) => {
  const count = readFileSync(m.file, 'utf8').split(m.find).length - 1;
  if (count !== 1) problems.push(`${m.id}: its text occurs ${count} times in ${m.file}`);
  // A test file that is gone would make vitest fail with "no test files": a false catch.
  const missing = m.tests.filter((t) => !existsSync(t));
  if (missing.length > 0) problems.push(`${m.id}: no such test file ${missing.join(', ')}`);
  return count !== 1 || missing.length > 0;
});
const runnable = chosen.filter((m) => !stale.includes(m));

// The copies go away whatever happens (Ctrl-C included); the tree itself is never written.
const copies = [];
const stop = new AbortController();
const cleanUp = () => copies.splice(0).forEach(removeCopy);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stop.abort();
    cleanUp();
    process.exit(130);
  });
}

let caught = 0;
try {
  for (let i = 0; i < Math.min(jobs, Math.max(1, runnable.length)); i++)
    copies.push(makeCopy(root));

  // The baseline runs in a copy too: a copy that differs from the tree would turn it red.
  const covering = [...new Set(runnable.flatMap((m) => m.tests))];
  console.log(
    `baseline: ${covering.length} covering test file(s) must pass unmutated (${copies.length} cop${copies.length === 1 ? 'y' : 'ies'})`,
  );
  // (No covering tests at all would make vitest run every test: there is nothing to run then.)
  const baseline =
    covering.length > 0
      ? await runVitest(copies[0], covering, {
          timeoutMs: BASELINE_TIMEOUT_MS,
          signal: stop.signal,
        })
      : { ok: true, output: '' };
  if (!baseline.ok) {
    console.error(baseline.output.slice(-4000));
    console.error('the covering tests fail before any mutation: fix them first');
    process.exitCode = 1;
  } else {
    const queue = [...runnable];
    const worker = async (copy) => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        const file = join(copy, m.file);
        const original = readFileSync(file, 'utf8');
        const t0 = Date.now();
        writeFileSync(file, original.replace(m.find, m.replace));
        let result;
        try {
          result = await runVitest(copy, m.tests, {
            maxWorkers: 1,
            inOrder: true,
            signal: stop.signal,
          });
        } finally {
          writeFileSync(file, original);
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
    };
    await Promise.all(copies.map(worker));
    const total = ((Date.now() - started) / 1000).toFixed(0);
    for (const p of problems) console.error(`- ${p}`);
    console.log(`${caught} of ${chosen.length} mutations caught in ${total} s`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  }
} finally {
  cleanUp();
}
