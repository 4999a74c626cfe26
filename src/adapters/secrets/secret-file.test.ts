import { readFile, readdir, stat } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSecretFile } from './secret-file.js';

describe('withSecretFile', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'drover-secretfile-test-'));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('writes a 0600 file in a 0700 directory and removes both after success', async () => {
    let seen = '';
    const result = await withSecretFile(
      'machine:\n  token: s3cr3t-t0ken\n',
      async (path) => {
        seen = path;
        expect((await stat(path)).mode & 0o777).toBe(0o600);
        expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
        expect(await readFile(path, 'utf8')).toBe('machine:\n  token: s3cr3t-t0ken\n');
        return 42;
      },
      { parentDir: parent, name: 'config.yaml' },
    );
    expect(result).toBe(42);
    expect(seen.endsWith('config.yaml')).toBe(true);
    expect(await readdir(parent)).toEqual([]);
  });

  it('removes the file when fn throws, and rethrows the same error', async () => {
    const boom = new Error('talosctl failed');
    await expect(
      withSecretFile('x', () => Promise.reject(boom), { parentDir: parent }),
    ).rejects.toBe(boom);
    expect(await readdir(parent)).toEqual([]);
  });

  it('removes the file when the work is aborted', async () => {
    const controller = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const pending = withSecretFile(
      'x',
      (path) =>
        new Promise<never>((_, reject) => {
          expect(path).toContain('drover-secret-');
          controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
            once: true,
          });
          started();
        }),
      { parentDir: parent },
    );
    await running;
    expect(await readdir(parent)).toHaveLength(1);
    controller.abort(new Error('aborted by the operator'));
    await expect(pending).rejects.toThrow('aborted by the operator');
    expect(await readdir(parent)).toEqual([]);
  });
});
