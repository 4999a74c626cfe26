/**
 * One S3 client configuration for MinIO, Ceph RGW and AWS: configurable endpoint, path-style
 * addressing, credentials from the (injected) environment only, and checksums only when the
 * operation requires them: servers that predate the SDK's default CRC checksums reject or
 * mangle them.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';

export interface S3ConnectionOptions {
  bucket: string;
  /** e.g. http://minio.local:9000 or https://rgw.example:443; absent = AWS. */
  endpoint?: string;
  region?: string;
  /** Path-style URLs (bucket in the path): default true with a custom endpoint. */
  forcePathStyle?: boolean;
  /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION: injected, not process.env. */
  env: Record<string, string | undefined>;
  redactor: Redactor;
  /** Attempts per request including the first (SDK retries with backoff). */
  maxAttempts?: number;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export function createS3Client(options: S3ConnectionOptions): S3Client {
  const accessKeyId = options.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = options.env.AWS_SECRET_ACCESS_KEY;
  const sessionToken = options.env.AWS_SESSION_TOKEN;
  if (!accessKeyId || !secretAccessKey) {
    throw new DroverError(
      'input',
      'S3_CREDENTIALS_MISSING',
      'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set for the state backup bucket',
      {
        hint: 'pass the bucket credentials to the runner as environment secrets',
      },
    );
  }
  options.redactor.add(secretAccessKey);
  options.redactor.add(sessionToken);
  return new S3Client({
    region:
      options.region ?? options.env.AWS_REGION ?? options.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 60_000,
    },
  });
}
