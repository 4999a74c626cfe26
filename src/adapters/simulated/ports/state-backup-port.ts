/**
 * StateBackupPort as an in-memory S3 bucket: objects with their sha256, NoSuchKey on a missing
 * key, and outages by fault. A read-back of a Terraform state is what makes a backup count as
 * verified for invariant backup-before-destroy.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DroverError } from '../../../core/errors.js';
import type { StateBackupPort, StoredObject } from '../../../ports/state-backup.js';
import type { StoredS3Object } from '../world/state.js';
import type { World } from '../world/world.js';
import { takeFaultUse } from './fault-uses.js';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * What the bucket holds for one object: its bytes gzip-compressed (level 1: Terraform state
 * JSON shrinks ~18x, at ~3 ms per MB), so that a run's memory does not grow by a whole state
 * per backup (one backup per replacement; ~2 MB each at 5,000 nodes kept raw ran out of heap).
 */
export function encodeObjectBytes(bytes: Uint8Array): Pick<StoredS3Object, 'gzip64' | 'size'> {
  return { gzip64: gzipSync(bytes, { level: 1 }).toString('base64'), size: bytes.byteLength };
}

/** Exactly the bytes that were written (also from world files that kept them uncompressed). */
export function decodeObjectBytes(object: StoredS3Object): Uint8Array {
  if (object.gzip64 !== undefined)
    return new Uint8Array(gunzipSync(Buffer.from(object.gzip64, 'base64')));
  return new Uint8Array(Buffer.from(object.base64 ?? '', 'base64'));
}

function stateSerial(bytes: Uint8Array): number | undefined {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as { serial?: unknown };
    return typeof parsed.serial === 'number' ? parsed.serial : undefined;
  } catch {
    return undefined;
  }
}

export class SimulatedStateBackupPort implements StateBackupPort {
  constructor(private readonly world: World) {}

  private checkAvailable(): void {
    if (this.world.hasFault('s3-unavailable'))
      throw new DroverError(
        'failed',
        'S3_UNAVAILABLE',
        'connect ECONNREFUSED s3.simulated.local:443 (S3 is unavailable)',
        {
          hint: 'Check the S3 endpoint and credentials.',
        },
      );
  }

  async put(key: string, bytes: Uint8Array, signal?: AbortSignal): Promise<StoredObject> {
    this.checkAvailable();
    this.world.failIfScripted('backup-state', undefined);
    await this.world.clock.sleep(this.world.ms('state-transfer', 0.4), signal);
    this.checkAvailable();
    const digest = sha256(bytes);
    const serial = stateSerial(bytes);
    this.world.state.s3[key] = {
      ...encodeObjectBytes(bytes),
      sha256: digest,
      ...(serial !== undefined ? { serial } : {}),
    };
    this.world.changed();
    return { key, sha256: digest, size: bytes.byteLength };
  }

  async get(key: string, signal?: AbortSignal): Promise<Uint8Array> {
    this.checkAvailable();
    await this.world.clock.sleep(this.world.ms('state-transfer', 0.2), signal);
    const object = this.world.state.s3[key];
    if (!object)
      throw new DroverError(
        'failed',
        'S3_NO_SUCH_KEY',
        `NoSuchKey: The specified key does not exist. (${key})`,
        {
          details: { key },
        },
      );
    const bytes = decodeObjectBytes(object);
    if (takeFaultUse(this.world, 'backup-reads-back-different')) {
      // A store that returns other bytes than were written: not a verified backup.
      bytes[0] = (bytes[0] ?? 0) ^ 0xff;
      return bytes;
    }
    if (object.serial !== undefined && object.serial === this.world.state.terraform.serial) {
      this.world.state.verifiedBackupSerial = object.serial;
      this.world.changed();
    }
    return bytes;
  }
}
