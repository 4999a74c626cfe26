// Preloaded into a benchmarked process (node --import): writes the process's own CPU time and
// peak memory as JSON to the file named by DROVER_BENCH_CPU_FILE when it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.DROVER_BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    const { maxRSS } = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (user + system) / 1000, maxRssKb: maxRSS }));
  });
}
