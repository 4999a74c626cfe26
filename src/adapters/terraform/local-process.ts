/**
 * Whether a terraform process still works in a directory, read from /proc (Linux): a process
 * whose executable name is the terraform binary's and whose working directory is that one. A
 * terraform child that outlived its killed parent still holds its state lock legitimately, so
 * Drover never force-unlocks while one runs. Where /proc cannot be read the answer is true: an
 * unknown holder is never assumed dead.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, resolve } from 'node:path';

export async function terraformRunningIn(dir: string, binary: string): Promise<boolean> {
  const want = resolve(dir);
  const name = basename(binary);
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p) && p !== String(process.pid));
  } catch {
    return true;
  }
  for (const pid of pids) {
    try {
      const argv0 = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0] ?? '';
      if (basename(argv0) !== name) continue;
      if ((await readlink(`/proc/${pid}/cwd`)) === want) return true;
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return false;
}
