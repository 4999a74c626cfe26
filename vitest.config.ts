import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one core short of the machine: on a 2-core runner that is one test file
    // at a time (352 s for the suite against 220 s with both cores, measured in one sitting).
    maxWorkers: availableParallelism(),
    // No test may reach past loopback (test/helpers/no-outside-network.ts); each file's temporary
    // files go with it (test/helpers/temp-dir-per-file.ts).
    setupFiles: ['test/helpers/no-outside-network.ts', 'test/helpers/temp-dir-per-file.ts'],
  },
});
