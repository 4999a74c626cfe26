// Runs every benchmark in this folder once (build first: npm run build): route --help cold
// start against bare node, schedules against the lower bound, and scale (bench/scale.mjs).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
let failed = false;
for (const bench of ['route-help-cold-start.mjs', 'simulate-schedules.mjs', 'scale.mjs']) {
  console.log(`\n## ${bench}\n`);
  const result = spawnSync(process.execPath, [join(here, bench)], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
