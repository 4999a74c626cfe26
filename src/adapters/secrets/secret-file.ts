/**
 * Some tools take secrets only as a file (talosctl apply-config --file). Such a file lives in a
 * fresh 0700 directory, is created 0600 with O_EXCL, and the directory is removed on every path
 * out of `fn`: return, throw, or abort (an aborted `fn` rejects, and `finally` still runs).
 * A hard kill (SIGKILL) cannot be cleaned up after; the directory is under the OS temp dir and
 * named `drover-secret-*` so a runner's cleanup can find it.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretFileOptions {
  /** Parent of the private directory; defaults to the OS temp dir. */
  parentDir?: string;
  /** File name inside the private directory. */
  name?: string;
}

export async function withSecretFile<T>(
  content: string | Uint8Array,
  fn: (path: string) => Promise<T>,
  options: SecretFileOptions = {},
): Promise<T> {
  // mkdtemp creates the directory with mode 0700.
  const dir = await mkdtemp(join(options.parentDir ?? tmpdir(), 'drover-secret-'));
  try {
    const path = join(dir, options.name ?? 'secret');
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
