/**
 * Every test file gets a temporary directory of its own as TMPDIR (vitest.config.ts setupFiles),
 * removed with everything in it once the file's tests ran. os.tmpdir() reads TMPDIR at each call,
 * and children started with the inherited environment (terraform, git, the built CLI) use it too,
 * so a test that forgets to clean up leaves nothing behind: before this, a full run left hundreds
 * of directories in /tmp (drover-refusal-*, drover-gate-*, exec-cap-* and more).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// A worker process runs several files one after another and keeps its environment between them.
const outer = process.env.TMPDIR;
const own = mkdtempSync(join(tmpdir(), 'drover-test-'));
process.env.TMPDIR = own;

afterAll(() => {
  if (outer === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = outer;
  rmSync(own, { recursive: true, force: true });
});
