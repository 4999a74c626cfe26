import { readFile, readdir, stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import { Redactor } from '../../core/redact.js';
import { startS3Server, type S3TestServer } from '../../../test/helpers/s3-server.js';
import { S3StateBackup, sha256Hex } from './s3-state-backup.js';

const KEY = 'drover/reference/20261126T071500Z-k8s-work-1.tfstate';
const state = new TextEncoder().encode(
  JSON.stringify({ version: 4, serial: 42, lineage: '5a1b-lineage', resources: [] }),
);

describe('S3StateBackup against s3rver on loopback', () => {
  let server: S3TestServer;
  let localDir: string;
  let backup: S3StateBackup;

  beforeAll(async () => {
    server = await startS3Server();
    localDir = await mkdtemp(join(tmpdir(), 'drover-s3-local-'));
    backup = new S3StateBackup({
      bucket: server.bucket,
      endpoint: server.endpoint,
      env: server.env,
      redactor: new Redactor(),
      localCopyDir: localDir,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    backup?.destroy();
    await server?.stop();
    if (localDir) await rm(localDir, { recursive: true, force: true });
  });

  it('backs up, reads back byte for byte, and verifies the checksum', async () => {
    const stored = await backup.put(KEY, state);
    expect(stored).toEqual({ key: KEY, sha256: sha256Hex(state), size: state.byteLength });
    expect(Buffer.from(await backup.get(KEY)).equals(Buffer.from(state))).toBe(true);
    expect(await backup.verifyBackup(KEY, stored.sha256)).toEqual(stored);
  });

  it('keeps a 0600 local copy under the same key path', async () => {
    const path = join(localDir, KEY);
    expect(await readFile(path)).toEqual(Buffer.from(state));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses a read-back that does not match (object overwritten behind its back)', async () => {
    const stored = await backup.put(KEY, state);
    // Corrupt the stored object directly in s3rver's directory, bypassing the API.
    const objectFile = await findObjectFile(server.directory, 'k8s-work-1.tfstate');
    const original = await readFile(objectFile);
    await writeFile(
      objectFile,
      Buffer.from(original.toString('utf8').replace('"serial":42', '"serial":41')),
    );
    const error = (await backup
      .verifyBackup(KEY, stored.sha256)
      .catch((e: unknown) => e)) as DroverError;
    expect(error).toBeInstanceOf(DroverError);
    expect(error.code).toBe('S3_BACKUP_MISMATCH');
    expect(error.retryable).toBe(false);
    expect(error.details).toMatchObject({ expected: stored.sha256 });
    expect(error.details?.actual).not.toBe(stored.sha256);
  });

  it('a missing object is S3_OBJECT_MISSING, not a pass', async () => {
    await expect(backup.verifyBackup('drover/reference/none.tfstate', 'x')).rejects.toMatchObject({
      code: 'S3_OBJECT_MISSING',
    });
  });

  it('rejects keys that escape the prefix', async () => {
    await expect(backup.put('../etc/passwd', state)).rejects.toMatchObject({
      category: 'input',
      code: 'S3_KEY_INVALID',
    });
    await expect(backup.put('/abs/key', state)).rejects.toMatchObject({ code: 'S3_KEY_INVALID' });
  });

  it('credentials come only from the injected environment', () => {
    expect(
      () =>
        new S3StateBackup({
          bucket: 'b',
          endpoint: server.endpoint,
          env: {},
          redactor: new Redactor(),
        }),
    ).toThrow(expect.objectContaining({ code: 'S3_CREDENTIALS_MISSING' }));
  });

  it('a server that is down: S3_UNAVAILABLE, transient, with a hint, and the secret key redacted', async () => {
    const down = await startS3Server();
    const redactor = new Redactor();
    const client = new S3StateBackup({
      bucket: down.bucket,
      endpoint: down.endpoint,
      env: { ...down.env, AWS_SECRET_ACCESS_KEY: 'sup3r-s3cret-key' },
      redactor,
      maxAttempts: 1,
      connectionTimeoutMs: 1000,
    });
    await down.stop();
    for (const attempt of [() => client.put(KEY, state), () => client.verifyBackup(KEY, 'x')]) {
      const error = (await attempt().catch((e: unknown) => e)) as DroverError;
      expect(error).toBeInstanceOf(DroverError);
      expect(error.category).toBe('failed');
      expect(error.code).toBe('S3_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.hint).toMatch(/no VM is destroyed/);
      expect(error.message).toContain(down.endpoint);
      expect(error.message).not.toContain('sup3r-s3cret-key');
    }
    client.destroy();
  });
});

async function findObjectFile(dir: string, suffix: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const match = entries.find((e) => e.isFile() && e.name.endsWith(`${suffix}._S3rver_object`));
  if (!match) throw new Error(`no s3rver object file for ${suffix} in ${dir}`);
  return join(match.parentPath, match.name);
}
