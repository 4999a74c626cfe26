/**
 * StateBackupPort on S3 (MinIO, Ceph RGW, AWS). The engine builds the key
 * (`<prefix>/<cluster>/<timestamp>-<node>.tfstate`); we store the bytes, their sha256 (computed
 * here, kept in the object's metadata) and, optionally, a local copy (0600: state holds secrets).
 * `verifyBackup` reads the object back and refuses a checksum mismatch: no destroy without it.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DroverError } from '../../core/errors.js';
import type { StateBackupPort, StoredObject } from '../../ports/state-backup.js';
import { createS3Client, type S3ConnectionOptions } from './s3-client.js';
import { s3Error } from './s3-errors.js';

export interface S3StateBackupOptions extends S3ConnectionOptions {
  /** Also keep each backup under this directory (same key path). */
  localCopyDir?: string;
}

export const SHA256_METADATA = 'drover-sha256';

export class S3StateBackup implements StateBackupPort {
  private readonly client: S3Client;

  constructor(private readonly options: S3StateBackupOptions) {
    this.client = createS3Client(options);
  }

  async put(key: string, bytes: Uint8Array, signal?: AbortSignal): Promise<StoredObject> {
    checkKey(key);
    const sha256 = sha256Hex(bytes);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: bytes,
          ContentType: 'application/json',
          Metadata: { [SHA256_METADATA]: sha256 },
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      throw this.error(error, 'put', key);
    }
    if (this.options.localCopyDir) {
      const path = join(this.options.localCopyDir, key);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, bytes, { mode: 0o600 });
    }
    return { key, sha256, size: bytes.byteLength };
  }

  async get(key: string, signal?: AbortSignal): Promise<Uint8Array> {
    checkKey(key);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key }),
        { abortSignal: signal },
      );
      if (!response.Body)
        throw new DroverError('failed', 'S3_OBJECT_MISSING', `S3 get of ${key} returned no body`);
      return await response.Body.transformToByteArray();
    } catch (error) {
      throw this.error(error, 'get', key);
    }
  }

  /** Reads the backup back and checks it byte for byte against what was written. */
  async verifyBackup(
    key: string,
    expectedSha256: string,
    signal?: AbortSignal,
  ): Promise<StoredObject> {
    const bytes = await this.get(key, signal);
    const sha256 = sha256Hex(bytes);
    if (sha256 !== expectedSha256) {
      throw new DroverError(
        'failed',
        'S3_BACKUP_MISMATCH',
        `the state backup ${key} read back with sha256 ${sha256}, expected ${expectedSha256}`,
        {
          hint: 'the stored backup is not what was written (corrupted or overwritten): nothing is destroyed; take a new backup',
          details: {
            key,
            expected: expectedSha256,
            actual: sha256,
            size: bytes.byteLength,
          },
        },
      );
    }
    return { key, sha256, size: bytes.byteLength };
  }

  destroy(): void {
    this.client.destroy();
  }

  private error(error: unknown, action: string, key: string): DroverError {
    return s3Error(
      error,
      action,
      `s3://${this.options.bucket}/${key}`,
      this.options.endpoint ?? 'AWS S3',
      this.options.redactor,
    );
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkKey(key: string): void {
  if (
    key === '' ||
    key.startsWith('/') ||
    key.split('/').some((part) => part === '..' || part === '.' || part === '')
  ) {
    throw new DroverError('input', 'S3_KEY_INVALID', `invalid backup key ${JSON.stringify(key)}`, {
      hint: 'keys look like <prefix>/<cluster>/<timestamp>-<node>.tfstate (no leading /, no empty or dot segments)',
    });
  }
}
